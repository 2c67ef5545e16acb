"""How a service says "this input is not right": field → message, shown next to the field."""


class Invalid(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors
