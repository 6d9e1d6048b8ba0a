"""Prometheus metrics shared by ingest, pipeline and web (exposed at ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SEGMENTS_RECEIVED = Counter("clippy_segments_received_total", "Segments durably stored")
SEGMENT_BYTES = Counter("clippy_segment_bytes_total", "Bytes of segments durably stored")
SEGMENT_DUPLICATES = Counter("clippy_segment_duplicates_total", "Segments re-sent and re-acked")
INGEST_ERRORS = Counter("clippy_ingest_errors_total", "Refused client messages", ["code"])
ACTIVE_STREAMS = Gauge("clippy_active_streams", "Streams with a connected client")
STAGE_SECONDS = Histogram(
    "clippy_stage_seconds",
    "Pipeline stage latency",
    ["stage"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64),
)
STAGE_FAILURES = Counter("clippy_stage_failures_total", "Pipeline stage failures", ["stage"])
MEZZANINES_DEFERRED = Counter(
    "clippy_mezzanines_deferred_total",
    "Segments whose mezzanine the busy pipeline left to be made when first needed",
)
SEGMENTS_TOGETHER = Counter(
    "clippy_segments_recognised_together_total",
    "Segments a pipeline that fell behind recognised together with others of their stream",
)
QUEUE_DEPTH = Gauge("clippy_pipeline_queue_depth", "Segments waiting for the pipeline")
STREAM_LAG = Gauge(
    "clippy_stream_processing_lag_seconds",
    "How long a live stream's oldest unprocessed segment has waited for the pipeline",
    ["stream_id"],
)
CLIPS_MADE = Counter("clippy_clips_made_total", "Clips created", ["source"])
STREAM_QUEUE_DEPTH = Gauge(
    "clippy_stream_queue_depth", "Segments of a stream waiting for the pipeline", ["stream_id"]
)
PLAN_QUEUE_DEPTH = Gauge(
    "clippy_plan_queue_depth", "Segments waiting for the pipeline, per owner's plan", ["plan"]
)
JOBS_QUEUED = Gauge(
    "clippy_jobs_queued", "Background jobs waiting (procrastinate backend), per queue", ["queue"]
)
