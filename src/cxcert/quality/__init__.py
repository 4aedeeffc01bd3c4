"""Quality monitoring science: QA forms, scoring, critical error accuracy, sampling, calibration, feedback."""
