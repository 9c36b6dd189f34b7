"""A folder of videos analysed in parallel: one recording each, a damaged file reported and skipped, any executor
(a local process pool, or a Dask cluster's)."""

from pathlib import Path

import pytest

from formwatch.app.folder import FolderJob, analyze_folder
from formwatch.cli.analyze import table


def clip_folder(tmp_path: Path) -> Path:
    from formwatch.app.bench import render_builtin_clip

    folder = tmp_path / "clips"
    folder.mkdir()
    for name in ("a", "b"):
        render_builtin_clip(folder / f"{name}.avi", seconds=2.0)
    (folder / "broken.mp4").write_text("not a video\n")
    (folder / "notes.txt").write_text("ignored: not a video\n")
    return folder


@pytest.mark.model
def test_two_jobs_write_a_recording_per_video_and_skip_the_damaged_one(tmp_path, model_path):
    folder = clip_folder(tmp_path)
    outcomes = analyze_folder(folder, tmp_path / "out", FolderJob("plank", str(model_path)), jobs=2, progress=False)
    assert [o.video for o in outcomes] == ["a.avi", "b.avi", "broken.mp4"]
    done = [o for o in outcomes if o.error is None]
    assert len(done) == 2 and all((Path(o.recording) / "summary.json").is_file() for o in done)
    assert all(o.frames == 60 for o in done)
    broken = outcomes[2]
    assert broken.recording is None and "is a text file, not a video" in broken.error
    assert "skipped: " in table(outcomes)


@pytest.mark.model
def test_the_folder_runs_on_a_local_dask_cluster(tmp_path, model_path):
    distributed = pytest.importorskip("distributed")
    folder = clip_folder(tmp_path)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        outcomes = analyze_folder(folder, tmp_path / "out", FolderJob(model=str(model_path)),
                                  executor=client.get_executor(), progress=False)
    assert sum(o.error is None for o in outcomes) == 2
    assert (tmp_path / "out" / "a" / "poses.npz").is_file()


def test_clips_are_handed_out_longest_first(tmp_path):
    from formwatch.app.bench import render_builtin_clip
    from formwatch.app.folder import longest_first

    clips = [render_builtin_clip(tmp_path / f"{name}.avi", seconds=s, size=(160, 90))
             for name, s in (("a", 1.0), ("b", 3.0), ("c", 2.0))]
    broken = tmp_path / "d.mp4"
    broken.write_text("not a video")
    assert [p.name for p in longest_first(clips + [broken])] == ["b.avi", "c.avi", "a.avi", "d.mp4"]


def test_mediapipe_imports_without_matplotlib_and_matplotlib_still_works_after():
    import subprocess
    import sys

    code = ("import sys\n"
            "from formwatch.capture.mediapipe_import import import_mediapipe\n"
            "mp = import_mediapipe()\n"
            "assert 'matplotlib' not in sys.modules and 'matplotlib.pyplot' not in sys.modules\n"
            "assert hasattr(mp.tasks.vision, 'PoseLandmarker')\n"
            "import matplotlib\n"
            "assert matplotlib.__version__ and not (matplotlib.__doc__ or '').startswith('placeholder')\n"
            "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr
