"""The learner's side of the kit that spans lessons and exercises (progress kept on their machine)."""
