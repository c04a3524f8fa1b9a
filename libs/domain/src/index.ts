// Image aggregate, commands and invariants
