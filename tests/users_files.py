"""Writing a users or asset file for a test, and expecting the reader to refuse it with a message."""
import pytest

from prover.exchange.inputs import UsersFileError, read_users


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_error(path, pattern, **kwargs):
    """read_users(path, **kwargs) refuses the file with a message matching `pattern`; the message."""
    with pytest.raises(UsersFileError, match=pattern) as caught:
        read_users(path, **kwargs)
    return str(caught.value)
