import sys
import time

from akrites_cli.supervise import run_together


def test_when_one_process_exits_the_other_is_stopped():
    started = time.monotonic()
    code = run_together(
        [
            [sys.executable, "-c", "import time; time.sleep(0.3)"],
            [sys.executable, "-c", "import time; time.sleep(60)"],
        ]
    )
    assert code == 0
    assert time.monotonic() - started < 10


def test_a_failing_process_gives_its_exit_code():
    code = run_together(
        [
            [sys.executable, "-c", "import sys; sys.exit(3)"],
            [sys.executable, "-c", "import time; time.sleep(60)"],
        ]
    )
    assert code == 3
