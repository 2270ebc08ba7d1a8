"""One module per `gainflow` subcommand: `add_arguments(parser)` and `run(args)`."""
