"""The subcommands' bodies: each module turns parsed arguments into work and a printed result."""
