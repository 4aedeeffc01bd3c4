"""Standards as versioned data: the schema, the packaged library, validation, Excel authoring."""
