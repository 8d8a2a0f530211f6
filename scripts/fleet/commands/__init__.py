"""One module per `fleet` command group."""
