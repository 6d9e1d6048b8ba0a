"""Train the chat ranker (``src/clippy/detect/chat_ranker.json``) on Lightor train splits, and
say honestly how well it does on videos it never saw.

Model: a logistic regression (L2, numpy Newton steps) over the chat peaks of every train video
(the local maxima of the live rate multiplier over x1.25, as the live ranking sees them), the
label being whether the start the planner would give that peak is a hit under the paper's
protocol. Its weights, divided by the rate's weight, become the ranker's betas
(``detect/ranker.py``): the live detector ranks ``log2 mult + beta . (features - mean)``.

What is chosen, and how it is checked (nothing is chosen on the video it is scored on):
- the feature set, among a few small ones (``CANDIDATE_SETS``), and the L2 strength: by
  leave-one-video-out P@10 on the training videos;
- the reported held-out numbers are **nested**: for each video, the choice above is made on
  the other videos alone (an inner leave-one-out), the model is fitted on them, and the video
  is scored with the live arithmetic (peaks of the ranked value, 120 s apart);
- in-sample numbers (the final model on the videos it was fitted on) are printed beside them.

    .venv/bin/python benchmarks/train_ranker.py [--dataset ../shared/datasets/lightor] [--write]

``--write`` stores the final model (chosen and fitted on every train video of both games) in the
package if its nested held-out P@10 beats the rate alone (``adopt``); otherwise it stores the
rate-only model (no extra features), which is what the numbers support.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from clippy.detect.plan import PlanConfig
from clippy.detect.ranker import MODEL_PATH, ChatRanker
from clippy.detect.score import ScoringConfig
from clippy.eval.lightor import load_split
from clippy.eval.ranker_fit import adopt, choose, nested, precision, prepare, train, video_hits

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, default=ROOT.parent / "shared/datasets/lightor")
    parser.add_argument("--write", action="store_true", help="store the final model")
    args = parser.parse_args()
    if not args.dataset.is_dir():
        print(f"no Lightor dataset at {args.dataset}: nothing to train on", file=sys.stderr)
        return 2
    began = time.perf_counter()
    lag, setup = round(ScoringConfig().chat_lag), PlanConfig().setup
    games = {
        g: [prepare(v, lag, setup) for v in load_split(args.dataset, g, "train")]
        for g in ("Dota2", "LOL")
    }
    everything = [p for ps in games.values() for p in ps]
    held, picks = nested(everything)
    extra, strength = choose(everything)
    chosen = train(everything, extra, strength)
    plain = np.asarray([video_hits(p, ChatRanker()) for p in everything])
    fitted = np.asarray([video_hits(p, chosen) for p in everything])
    final = chosen if adopt(held, plain) else ChatRanker()
    out: dict[str, object] = {
        "chosen": chosen.to_json(),
        "strength": strength,
        "adopted": final == chosen,
        "folds": picks,
    }
    start = 0
    for game, ps in games.items():
        part = slice(start, start + len(ps))
        start += len(ps)
        out[game] = {
            "videos": len(ps),
            "rate_only": precision(plain[part]),
            "ranker_in_sample": precision(fitted[part]),
            "ranker_nested_held_out": precision(held[part]),
        }
    out["seconds"] = round(time.perf_counter() - began, 1)
    print(json.dumps(out, indent=1))
    if args.write:
        MODEL_PATH.write_text(json.dumps(final.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
