"""Crash safety, proven by crashing: commands killed (SIGKILL) at random moments, then checked."""
