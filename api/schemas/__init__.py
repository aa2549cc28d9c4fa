"""Hand-written marshmallow schemas: what the API accepts and returns, separate from storage rows."""
