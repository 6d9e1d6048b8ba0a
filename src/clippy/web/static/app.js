// Clippy dashboard behaviour: live clip feed, trim editor, batch selection, small helpers.
// Plain JavaScript on top of server-rendered pages; every form also works without it.
(function () {
  "use strict";

  const FRAME = 1 / 30; // clips are rendered at 30 fps, so one keyboard nudge = one frame

  function toast(html) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const el = document.createElement("div");
    el.className = "toast";
    el.innerHTML = html;
    box.appendChild(el);
    setTimeout(() => el.remove(), 6000);
  }

  function escapeHtml(text) {
    const div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  // Live feed: the server pushes clip_created over SSE; the card itself is rendered by the
  // server (one template for cards) and inserted at the top where the view is "newest first".
  function startLiveFeed() {
    if (!document.querySelector("[data-live-feed]") || !window.EventSource) return;
    const source = new EventSource("/app/events");
    source.addEventListener("clip_created", (event) => {
      const data = JSON.parse(event.data);
      const clip = data.clip || {};
      const target = document.querySelector("[data-live-insert] #clip-grid, #clip-grid[data-live-insert]");
      if (target && !document.getElementById("clip-" + clip.id)) {
        fetch("/app/clips/" + clip.id + "/card", { headers: { "HX-Request": "true" } })
          .then((r) => (r.ok ? r.text() : ""))
          .then((html) => {
            if (!html || document.getElementById("clip-" + clip.id)) return;
            target.insertAdjacentHTML("afterbegin", html);
            const empty = document.getElementById("clips-empty");
            if (empty) empty.remove();
            const count = document.getElementById("result-count");
            if (count) {
              const n = parseInt(count.textContent, 10) + 1;
              count.textContent = n + (n === 1 ? " clip" : " clips");
            }
          });
      }
      toast('New clip: <a href="/app/clips/' + clip.id + '">' + escapeHtml(clip.title || "Untitled") + "</a>");
    });
    window.addEventListener("beforeunload", () => source.close());
  }

  // Trim editor: two handles on a track, number inputs mirror them, the video previews.
  function setupTrim(form) {
    const duration = parseFloat(form.dataset.duration);
    const track = form.querySelector("[data-track]");
    const range = form.querySelector("[data-range]");
    const playhead = form.querySelector("[data-playhead]");
    const startIn = form.querySelector("[data-start]");
    const endIn = form.querySelector("[data-end]");
    const length = form.querySelector("[data-length]");
    const handles = { start: form.querySelector('[data-handle="start"]'), end: form.querySelector('[data-handle="end"]') };
    const video = document.getElementById("player");
    const state = { start: 0, end: duration };
    let previewing = false;

    function fmt(s) {
      const m = Math.floor(s / 60);
      const rest = (s - m * 60).toFixed(1).padStart(4, "0");
      return m + ":" + rest;
    }
    function draw() {
      const a = (state.start / duration) * 100;
      const b = (state.end / duration) * 100;
      handles.start.style.left = a + "%";
      handles.end.style.left = b + "%";
      range.style.left = a + "%";
      range.style.width = b - a + "%";
      handles.start.setAttribute("aria-valuenow", state.start.toFixed(3));
      handles.end.setAttribute("aria-valuenow", state.end.toFixed(3));
      startIn.value = state.start.toFixed(3);
      endIn.value = state.end.toFixed(3);
      length.textContent = fmt(state.end - state.start);
    }
    function set(which, value) {
      const min = which === "start" ? 0 : state.start + FRAME;
      const max = which === "start" ? state.end - FRAME : duration;
      state[which] = Math.min(max, Math.max(min, Math.round(value / FRAME) * FRAME));
      if (which === "end") state.end = Math.min(duration, state.end);
      draw();
      if (video) video.currentTime = state[which];
    }
    Object.entries(handles).forEach(([which, handle]) => {
      handle.addEventListener("keydown", (e) => {
        const step = e.shiftKey ? 1 : FRAME;
        if (e.key === "ArrowLeft" || e.key === "ArrowDown") set(which, state[which] - step);
        else if (e.key === "ArrowRight" || e.key === "ArrowUp") set(which, state[which] + step);
        else if (e.key === "Home") set(which, 0);
        else if (e.key === "End") set(which, duration);
        else return;
        e.preventDefault();
      });
      handle.addEventListener("pointerdown", (e) => {
        handle.setPointerCapture(e.pointerId);
        handle.focus();
        const move = (ev) => {
          const box = track.getBoundingClientRect();
          set(which, ((ev.clientX - box.left) / box.width) * duration);
        };
        const up = () => {
          handle.removeEventListener("pointermove", move);
          handle.removeEventListener("pointerup", up);
        };
        handle.addEventListener("pointermove", move);
        handle.addEventListener("pointerup", up);
      });
    });
    startIn.addEventListener("change", () => set("start", parseFloat(startIn.value) || 0));
    endIn.addEventListener("change", () => set("end", parseFloat(endIn.value) || duration));
    form.querySelector("[data-preview]").addEventListener("click", () => {
      if (!video) return;
      previewing = true;
      video.currentTime = state.start;
      video.play().catch(() => { previewing = false; });
    });
    if (video) {
      video.addEventListener("timeupdate", () => {
        playhead.style.left = (video.currentTime / duration) * 100 + "%";
        if (previewing && video.currentTime >= state.end) {
          video.pause();
          previewing = false;
        }
      });
    }
    draw();
  }

  function setupSelection() {
    document.addEventListener("change", (e) => {
      const t = e.target;
      if (t.matches("[data-select-all]")) {
        document.querySelectorAll('input[name="ids"][form="batch"]').forEach((box) => { box.checked = t.checked; });
      }
      if (t.matches("[data-select-all], input[name=ids]")) {
        const any = document.querySelector('input[name="ids"][form="batch"]:checked');
        document.querySelectorAll("[data-needs-selection]").forEach((b) => { b.disabled = !any; });
      }
    });
  }

  function setupHelpers() {
    document.addEventListener("submit", (e) => {
      // A form with several actions asks only for the button that needs it (batch delete).
      const by = e.submitter && e.submitter.dataset.confirm;
      const msg = by || (e.target.dataset && e.target.dataset.confirm);
      if (msg && !window.confirm(msg)) e.preventDefault();
    });
    document.addEventListener("click", (e) => {
      const copy = e.target.closest("[data-copy]");
      if (copy) {
        const text = document.querySelector(copy.dataset.copy).textContent;
        navigator.clipboard.writeText(text).then(() => { copy.textContent = "Copied"; }, () => {});
      }
      const toggle = e.target.closest("[data-toggle-filters]");
      if (toggle) {
        const open = toggle.form.classList.toggle("filters-open");
        toggle.setAttribute("aria-expanded", String(open));
      }
      const seek = e.target.closest("[data-seek]");
      const video = document.getElementById("player");
      if (seek && video) {
        video.currentTime = parseFloat(seek.dataset.seek);
        video.play().catch(() => {});
      }
    });
  }


  // Archive browser. With hls.js (installed by setup) the whole recording plays as one HLS
  // stream of its segments: player time maps to stream time through the runs of contiguous
  // segments ([stream start, player start] each). Without it the stream plays as consecutive
  // preview MP4s ("windows"): stream time is the window's start plus the player's time, and
  // seeking across windows swaps the source.
  function setupArchive(root) {
    const video = root.querySelector("#archive-player");
    const windows = JSON.parse(root.dataset.windows || "[]");
    const runs = JSON.parse(root.dataset.hlsMap || "[]");
    const useHls = Boolean(video && root.dataset.hls && runs.length && window.Hls && window.Hls.isSupported());
    let hls = null;
    let pending = null;
    function toStream(p) {
      let run = runs[0];
      for (const r of runs) if (r[1] <= p) run = r;
      return run[0] + (p - run[1]);
    }
    function toPlayer(t) {
      let k = 0;
      runs.forEach((r, i) => { if (r[0] <= t) k = i; });
      const next = runs[k + 1];
      const p = runs[k][1] + Math.max(0, t - runs[k][0]);
      return next ? Math.min(p, next[1]) : p;
    }
    const now = root.querySelector("[data-now]");
    const lines = Array.from(root.querySelectorAll(".transcript-line"));
    let current = null;

    function fmt(s) {
      const t = Math.max(0, Math.round(s));
      const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
      const mm = h ? String(m).padStart(2, "0") : String(m);
      return (h ? h + ":" : "") + mm + ":" + String(sec).padStart(2, "0");
    }
    function streamTime() {
      if (useHls) return hls ? toStream(video.currentTime) : parseFloat(root.dataset.at) || 0;
      return current ? current.start + video.currentTime : parseFloat(root.dataset.at) || 0;
    }
    function seekHls(t, play) {
      const go = () => {
        video.currentTime = toPlayer(t);
        if (play) video.play().catch(() => {});
      };
      if (hls && video.readyState >= 1) return go();
      // Until the first segment's metadata is in, a seek would be lost: the newest one waits.
      pending = go;
      if (hls) return;
      // Workers would need a blob: script source, which the page's CSP does not allow.
      hls = new window.Hls({ enableWorker: false, startPosition: toPlayer(t) });
      video.addEventListener("loadedmetadata", () => pending(), { once: true });
      hls.loadSource(root.dataset.hls);
      hls.attachMedia(video);
    }
    function seek(t, play) {
      if (useHls) return seekHls(t, play);
      const w = windows.find((x) => t >= x.start && t < x.end) || windows.find((x) => x.start >= t);
      if (!w) return;
      const offset = Math.max(0, t - w.start);
      const go = () => {
        video.currentTime = offset;
        if (play) video.play().catch(() => {});
      };
      if (w !== current) {
        current = w;
        video.addEventListener("loadedmetadata", go, { once: true });
        video.src = w.url;
        video.load();
      } else {
        go();
      }
    }
    // A stream with no retained video has no player (and no windows to seek in).
    if (video && !useHls) {
      video.addEventListener("ended", () => {
        const next = windows[windows.indexOf(current) + 1];
        if (next) seek(next.start, true);
      });
    }
    if (video) {
      video.addEventListener("timeupdate", () => {
        const t = streamTime();
        if (now) now.textContent = fmt(t);
        lines.forEach((ln) => {
          ln.classList.toggle("playing", t >= parseFloat(ln.dataset.at) && t < parseFloat(ln.dataset.until));
        });
      });
    }
    // Whatever was clicked (a frame, a line, the curve), the player it starts is brought on screen.
    const show = () => video && video.scrollIntoView({ block: "nearest" });
    root.addEventListener("click", (e) => {
      const el = e.target.closest("[data-at]");
      if (el && root.contains(el) && el !== root) {
        e.preventDefault();
        seek(parseFloat(el.dataset.at), true);
        show();
      }
    });
    const detail = root.querySelector("[data-detail] svg");
    if (detail) {
      detail.addEventListener("click", (e) => {
        const box = detail.getBoundingClientRect();
        const a = parseFloat(detail.dataset.start), b = parseFloat(detail.dataset.end);
        seek(a + ((e.clientX - box.left) / box.width) * (b - a), true);
        show();
      });
    }
    const form = root.querySelector("[data-make-clip]");
    if (form) {
      const startIn = form.querySelector("[data-start]");
      const endIn = form.querySelector("[data-end]");
      const length = form.querySelector("[data-length]");
      const sel = detail && detail.querySelector("[data-sel]");
      const draw = () => {
        const a = parseFloat(startIn.value), b = parseFloat(endIn.value);
        length.textContent = b > a ? fmt(b - a) : "—";
        if (!sel) return;
        const s0 = parseFloat(detail.dataset.start), s1 = parseFloat(detail.dataset.end);
        const width = detail.viewBox.baseVal.width;
        const x0 = Math.max(0, Math.min(1, (a - s0) / (s1 - s0))) * width;
        const x1 = Math.max(0, Math.min(1, (b - s0) / (s1 - s0))) * width;
        sel.setAttribute("x", String(x0));
        sel.setAttribute("width", String(Math.max(0, x1 - x0)));
      };
      form.querySelectorAll("[data-mark]").forEach((btn) => {
        btn.addEventListener("click", () => {
          const input = btn.dataset.mark === "start" ? startIn : endIn;
          input.value = streamTime().toFixed(1);
          draw();
        });
      });
      startIn.addEventListener("input", draw);
      endIn.addEventListener("input", draw);
      draw();
    }
    if (useHls) seek(parseFloat(root.dataset.at) || runs[0][0], false);
    else if (windows.length) seek(parseFloat(root.dataset.at) || windows[0].start, false);
  }

  // Caption text typed but not saved would not be in an export (the server renders what is
  // saved): exporting is refused with the reason until the captions are saved.
  function setupUnsavedCaptions(form) {
    let dirty = false;
    form.addEventListener("input", () => { dirty = true; });
    form.addEventListener("submit", () => { dirty = false; });
    document.addEventListener("submit", (e) => {
      const exports = e.target.closest("#exports");
      if (!dirty || !exports) return;
      e.preventDefault();
      e.stopImmediatePropagation();  // before htmx sees it
      let note = exports.querySelector("[data-unsaved-captions]");
      if (!note) {
        note = document.createElement("div");
        note.className = "flash flash-error";
        note.setAttribute("role", "alert");
        note.dataset.unsavedCaptions = "";
        note.textContent = "Your caption changes are not saved. Press Save captions first, or the export would show the old captions.";
        exports.insertBefore(note, exports.children[1] || null);
      }
    }, true);
  }

  // The gallery's export picker closes once its batch has been sent (the answer shows above).
  document.addEventListener("htmx:afterRequest", (e) => {
    const menu = e.target.closest && e.target.closest("[data-batch-export]");
    if (menu) menu.open = false;
  });

  document.addEventListener("DOMContentLoaded", () => {
    startLiveFeed();
    document.querySelectorAll("[data-trim]").forEach(setupTrim);
    document.querySelectorAll("[data-archive]").forEach(setupArchive);
    document.querySelectorAll("form.captions").forEach(setupUnsavedCaptions);
    setupSelection();
    setupHelpers();
  });
})();
