"""Where workouts go: a folder, Intervals.icu, Garmin Connect."""
