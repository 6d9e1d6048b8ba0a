"""Scoring the detector on labelled data: Lightor-layout chat sets and planted streams."""
