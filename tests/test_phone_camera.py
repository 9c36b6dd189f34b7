"""A phone as the camera (capture/stream.py): a clip served as an HTTP MJPEG stream on 127.0.0.1, as phone webcam
apps serve one, runs a live set; the stream stopping mid-set is said, retried, and the set ends with its recording
kept and replayable."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


from conftest import VIDEO_DIR, run_formwatch
from formwatch.capture.stream import is_stream_url


class MjpegServer:
    """Serves ``clip`` as multipart/x-mixed-replace JPEGs at its frame rate until :meth:`stop`."""

    def __init__(self, clip, seconds: float):
        import cv2

        capture = cv2.VideoCapture(str(clip))
        self.fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
        self.jpegs = []
        while len(self.jpegs) < seconds * self.fps:
            ok, bgr = capture.read()
            if not ok:
                break
            self.jpegs.append(cv2.imencode(".jpg", bgr)[1].tobytes())
        capture.release()
        self.running = threading.Event()
        self.running.set()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if not server.running.is_set():
                    self.send_error(503)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                try:
                    for jpg in server.jpegs:
                        if not server.running.is_set():
                            return
                        self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "
                                         + str(len(jpg)).encode() + b"\r\n\r\n" + jpg + b"\r\n")
                        time.sleep(1.0 / server.fps)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/video"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.running.clear()
        self.httpd.shutdown()
        self.httpd.server_close()


def test_stream_urls_are_told_from_camera_numbers_and_paths():
    assert is_stream_url("http://192.168.1.20:8080/video") and is_stream_url("RTSP://phone/live")
    assert not is_stream_url("0") and not is_stream_url("/dev/video0")


def test_a_phone_stream_runs_a_set_and_a_stream_that_stops_is_said_and_the_set_kept(tmp_path, model_path):
    clip = VIDEO_DIR / "formfit_deadlift.mp4"
    if not clip.is_file():
        from formwatch.app.bench import render_builtin_clip

        clip = render_builtin_clip(tmp_path / "builtin.avi", seconds=12.0)
    server = MjpegServer(clip, seconds=30.0)
    stopper = threading.Timer(6.0, server.stop)  # the phone's app closed mid-set
    stopper.start()
    try:
        home = tmp_path / "home"
        result = run_formwatch(["live", "--camera", server.url, "--headless", "--exercise", "hinge", "--no-voice",
                                "--out", str(tmp_path / "set"), "--model", str(model_path)], home, tmp_path)
    finally:
        stopper.cancel()
        server.stop() if server.running.is_set() else None
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "the camera stream stalled — trying to reconnect" in result.stderr
    assert f"ended: the camera stream {server.url} stopped and did not come back" in result.stdout
    processed = int(result.stdout.split(" frames processed")[0].split()[-1])
    assert processed >= 30, result.stdout
    replay = run_formwatch(["replay", str(tmp_path / "set"), "--export-csv", str(tmp_path / "set.csv")], home,
                           tmp_path)
    assert replay.returncode == 0, replay.stderr
    assert len((tmp_path / "set.csv").read_text().splitlines()) == processed + 1


def test_a_stream_that_cannot_be_opened_is_one_line(tmp_path):
    result = run_formwatch(["live", "--camera", "http://127.0.0.1:9/video", "--headless", "--exercise", "hinge"],
                           tmp_path / "home", tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and "cannot be opened" in lines[-1] and "Traceback" not in result.stderr
