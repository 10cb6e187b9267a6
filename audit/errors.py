"""The project's error family. The CLI turns each into one stderr line and an exit code."""

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INPUT = 3


class AuditError(Exception):
    """Base class: a user-facing error with an exit code and no traceback."""

    exit_code = EXIT_INPUT


class ConfigError(AuditError):
    """Bad configuration, policy pack, manifest or command-line usage."""

    exit_code = EXIT_USAGE


class InputError(AuditError):
    """Input that cannot be read at all (missing file, unknown format)."""

    exit_code = EXIT_INPUT


class StoreError(AuditError):
    """The registry database cannot be opened or written."""

    exit_code = EXIT_INPUT


class UnscannedText(AuditError):
    """A text that could not be analysed (a recognizer failed, or the time budget ran out).

    Never decided on the rest of the request or record: the router raises it, so the
    gateway refuses the request, and `route replay` counts the record as unscanned.
    Its message names the message and the reason, never the text.
    """

    exit_code = EXIT_INPUT


_PLAIN = {
    "tuple_type": "should be a list",
    "list_type": "should be a list",
    "set_type": "should be a list",
    "frozen_set_type": "should be a list",
    "dict_type": "should be a mapping (key: value)",
    "model_type": "should be a mapping (key: value)",
    "model_attributes_type": "should be a mapping (key: value)",
    "string_type": "should be text",
    "int_type": "should be a whole number",
    "int_parsing": "should be a whole number",
    "float_type": "should be a number",
    "float_parsing": "should be a number",
    "bool_type": "should be true or false",
    "bool_parsing": "should be true or false",
}


def plain_validation_message(error: dict) -> str:
    """One pydantic error in the words of the YAML or TOML its author wrote: 'Input should be a list', not 'Input
    should be a valid tuple' (a Python type); a validator's own sentence without pydantic's 'Value error, '."""
    if error.get("type") in _PLAIN:
        return f"Input {_PLAIN[error['type']]}"
    return str(error.get("msg", "Input is not valid")).removeprefix("Value error, ")
