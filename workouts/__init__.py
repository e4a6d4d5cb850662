"""The pure half of progsync: workout language, model, profile, checks and encoders."""
