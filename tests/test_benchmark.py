"""The benchmark checks where its CSV goes before it spends minutes timing runs, and times what it says."""

import re
import subprocess
import sys
from pathlib import Path

from experiments.benchmark import MAIN_COMMAND, cpu_s, csv_path


def test_a_folder_gets_benchmark_csv_inside(tmp_path):
    assert csv_path(str(tmp_path)) == tmp_path / "benchmark.csv"
    assert csv_path(str(tmp_path / "new") + "/") == tmp_path / "new" / "benchmark.csv"
    assert csv_path(str(tmp_path / "b.csv")) == tmp_path / "b.csv"


def test_a_file_in_the_way_is_one_line_and_exit_2_before_any_timing(tmp_path):
    (tmp_path / "f").write_text("x")
    assert "is a file, not a folder" in csv_path(str(tmp_path / "f" / "b.csv"))
    p = subprocess.run([sys.executable, "-m", "experiments.benchmark", "--out", str(tmp_path / "f" / "b.csv")],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "--out=" in p.stderr
    assert "bandwidth" not in p.stderr  # nothing was timed


def test_the_main_command_timed_is_the_readmes():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    first = re.search(r"python -m experiments\.report ([^\n`]*)", readme)
    assert first and first.group(1).split() == list(MAIN_COMMAND)


def test_cpu_time_is_the_commands_own(tmp_path):
    busy = [sys.executable, "-c", "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.4: pass"]
    idle = [sys.executable, "-c", "import time; time.sleep(0.4)"]
    (busy_cpu, busy_wall), (idle_cpu, idle_wall) = cpu_s(busy, tmp_path), cpu_s(idle, tmp_path)
    assert busy_cpu >= 0.4 and busy_wall >= 0.4
    assert idle_cpu < 0.3 and idle_wall >= 0.4  # sleeping costs no CPU: wall time is not what is counted


def test_no_rounds_of_the_main_command_is_one_line_and_exit_2_before_any_timing(tmp_path):
    p = subprocess.run([sys.executable, "-m", "experiments.benchmark", "--main-command", "--main-repeats", "0",
                        "--out", str(tmp_path / "b.csv")], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "--main-repeats=0" in p.stderr
    assert "bandwidth" not in p.stderr and not (tmp_path / "b.csv").exists()
