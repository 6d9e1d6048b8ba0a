"""Scoring the detector on labelled data: Lightor-layout chat sets and planted streams.

This is the folder's face: other folders import from here, not from its modules.
"""

from clippy.eval.benchmark import evaluate_lightor
from clippy.eval.lightor import DatasetError
from clippy.eval.memory import evaluate_memory
from clippy.eval.planted_score import run_planted, score_planted
from clippy.eval.report import print_lightor_table, write_lightor_report, write_planted_report

__all__ = [
    "DatasetError",
    "evaluate_lightor",
    "evaluate_memory",
    "print_lightor_table",
    "run_planted",
    "score_planted",
    "write_lightor_report",
    "write_planted_report",
]
