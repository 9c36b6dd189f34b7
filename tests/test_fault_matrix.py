"""The fault matrix (scripts/fault_matrix.py) as a test: every fault and bad input we know of, run as a user would
(a locked history at three moments, a full disk, a read-only home, each bad option, folders, Qt without its
libraries, damaged recordings, Ctrl-C and SIGTERM mid-set): no traceback, nothing lost, the right exit code."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_known_fault_ends_in_one_clear_line_and_loses_nothing(model_path):
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "fault_matrix.py")], capture_output=True,
                            text=True, timeout=1800, cwd=REPO)
    last = json.loads(result.stdout.strip().splitlines()[-1])
    flagged = [line for line in result.stdout.splitlines() if " LOST" in line or "WRONG-EXIT" in line]
    assert last["tracebacks"] == last["lost"] == last["wrong_exit"] == 0, "\n".join(flagged) or result.stdout
    assert last["cases"] >= 100 and result.returncode == 0, last
