"""perm-reward: PERM empathy reward model."""
__version__ = "0.1.0"
