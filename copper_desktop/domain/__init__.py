"""domain layer of Copper Desktop (see README, Architecture)."""
