"""Domain layer of Copper Desktop: pure Python, no Qt, no HTTP.

- `catalog`: the declarative description of every entity (fields, filters, sort keys).
- `convert`: lead conversion plans: company candidates and decisions, plan rows, checks.
- `custom_fields`: custom field definitions joined to the catalog at run time.
- `diff`: minimal PUT bodies and three-way conflict checks.
- `formats`: parsing and formatting of values per field type.
- `validation`: per-field messages an editor shows before sending.
"""
