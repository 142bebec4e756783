"""Everything that touches a model: bundled demo models, teacher server, student, registry."""
