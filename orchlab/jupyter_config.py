# Jupyter settings `orchlab lab` passes with --config: run-time files stay out of the learner's file
# browser (they are still on disk, and still readable from a notebook).
c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file

c.ContentsManager.hide_globs = [
    "__pycache__",
    "*.pyc",
    "*.pyo",
    "*.egg-info",
    ".DS_Store",
    ".ipynb_checkpoints",
    "_lesson_output",
    "*.sqlite",
    "*.sqlite-wal",
    "*.sqlite-shm",
    "*.sqlite-journal",
    "test-artifacts",
    "build",
]
