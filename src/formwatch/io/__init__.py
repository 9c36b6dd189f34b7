"""Files a user owns: recordings, profiles and JSON written atomically and privately."""
