"""The proto registry's release machinery: gate, code generation, packages and the local index."""
