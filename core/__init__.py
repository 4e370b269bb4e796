"""ftui core: every API call and every read or write of user data. Async, and free of Textual."""
