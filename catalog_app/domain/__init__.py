"""Plain data of the catalogue: enums, grades, dates and records. Imports neither SQL nor Qt."""
