"""A person's data under PIPL: how long it is kept (retention, `flask purge`), and what one
number has left with us (find, export as a spreadsheet, forget) for the console and the CLI."""
