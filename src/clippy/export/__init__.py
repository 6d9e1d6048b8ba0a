"""Platform exports: presets, reframing, captions, rendering, the export queue and batches."""
