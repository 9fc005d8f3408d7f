"""Synthetic analog clocks, drawn with Pillow in the real data's format.

One clock model, as in the real photos: a light dial with a dark rim, 60
minute ticks (longer every five minutes), Arabic numerals 1-12, a short thick
hour hand that moves with the minutes and a long thin minute hand. Each image
then varies the way a photo does, within the limits of `Difficulty`: the
whole clock is rotated, tilted away from the camera (a perspective warp),
scaled and shifted, and put on a background with uneven lighting, glare
spots, blur and noise.

Every image draws its variation from its own random generator, seeded by
(seed, row), so a data set is the same for a seed whatever the number of
worker processes. Rows are sorted by time, `per_minute` images per minute,
like the real files; the loader shuffles them before splitting.

Known shortcomings: the hands lie flat on the dial (no parallax under tilt),
there is no second hand, and the backgrounds are smooth gradients and blobs,
not real scenes.
"""

import concurrent.futures
import functools
import math
import multiprocessing
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

MINUTES_PER_DAY = 720  # a clock face shows 12 hours

# The dial is drawn once, twice as large as the output, and warped down onto
# each image, which smooths the lines as it shrinks them.
DIAL_SIZE = 300
DIAL_RADIUS = 140


@dataclass(frozen=True)
class Difficulty:
    """How much each image may vary (`PLAIN` varies nothing).

    rotation_deg: the whole clock turns by up to this many degrees either way.
    tilt_deg: the dial leans away from the camera by up to this many degrees
        around a random axis (perspective).
    scale_min: the dial's diameter is between this fraction of the image and
        0.95 of it (distance to the camera).
    shift: the centre moves by up to this fraction of the image.
    lighting: strength of the brightness gradient across the image (0-1).
    glare: peak brightness of up to two glare spots (0-1).
    blur: largest Gaussian blur radius in output pixels.
    noise: largest standard deviation of the pixel noise (0-255 scale).
    minute_jitter: the hands show up to this fraction of a minute past the
        labelled minute, as a photo taken at a random second would.
    """

    rotation_deg: float = 20.0
    tilt_deg: float = 30.0
    scale_min: float = 0.7
    shift: float = 0.05
    lighting: float = 0.4
    glare: float = 0.5
    blur: float = 1.0
    noise: float = 8.0
    minute_jitter: float = 0.0

    def __post_init__(self):
        checks = {
            "rotation_deg": 0 <= self.rotation_deg <= 180,
            "tilt_deg": 0 <= self.tilt_deg < 80,
            "scale_min": 0.1 <= self.scale_min <= 0.95,
            "shift": 0 <= self.shift <= 0.3,
            "lighting": 0 <= self.lighting <= 1,
            "glare": 0 <= self.glare <= 1,
            "blur": self.blur >= 0,
            "noise": self.noise >= 0,
            "minute_jitter": 0 <= self.minute_jitter < 1,
        }
        for name, ok in checks.items():
            if not ok:
                raise ValueError(
                    f"clock difficulty {name}={getattr(self, name)!r} "
                    "is out of range (see dlgrid.clocks.generate)"
                )


# A clock filling 95% of the image, upright, facing the camera, on flat grey.
PLAIN = Difficulty(
    rotation_deg=0,
    tilt_deg=0,
    scale_min=0.95,
    shift=0,
    lighting=0,
    glare=0,
    blur=0,
    noise=0,
    minute_jitter=0,
)


def hand_angles(hour, minute):
    """Clockwise angles from 12 o'clock, in degrees, of the hour and minute hand."""
    minute_angle = 6.0 * minute
    hour_angle = 30.0 * (hour % 12) + 0.5 * minute
    return hour_angle, minute_angle


@functools.lru_cache(maxsize=1)
def _dial_and_mask():
    """The face without hands, and the disk that the clock covers."""
    dial = Image.new("L", (DIAL_SIZE, DIAL_SIZE), 0)
    draw = ImageDraw.Draw(dial)
    centre, radius = DIAL_SIZE / 2, DIAL_RADIUS

    def circle(r, **style):
        draw.ellipse((centre - r, centre - r, centre + r, centre + r), **style)

    circle(radius, fill=40)  # the rim
    circle(radius * 0.93, fill=232)  # the face

    for tick in range(60):
        angle = math.radians(6 * tick)
        inner = radius * (0.78 if tick % 5 == 0 else 0.84)
        outer = radius * 0.9
        width = 5 if tick % 5 == 0 else 2
        draw.line(
            [_polar(centre, inner, angle), _polar(centre, outer, angle)],
            fill=30,
            width=width,
        )

    font = ImageFont.load_default(size=int(radius * 0.2))
    for hour in range(1, 13):
        x, y = _polar(centre, radius * 0.64, math.radians(30 * hour))
        draw.text((x, y), str(hour), fill=25, font=font, anchor="mm")

    mask = Image.new("L", (DIAL_SIZE, DIAL_SIZE), 0)
    ImageDraw.Draw(mask).ellipse(
        (centre - radius, centre - radius, centre + radius, centre + radius), fill=255
    )
    return dial, mask


def _polar(centre, radius, angle):
    """A point at `radius` from the centre, `angle` radians clockwise from 12."""
    return centre + radius * math.sin(angle), centre - radius * math.cos(angle)


def _draw_hand(draw, angle_deg, length, width, tail):
    """A straight hand with a pointed tip, from a short tail behind the centre."""
    centre = DIAL_SIZE / 2
    angle = math.radians(angle_deg)
    half = width / 2
    shoulder = length - 1.5 * width

    def at(along, across):
        x, y = _polar(0, along, angle)
        return (
            centre + x + across * math.cos(angle),
            centre + y + across * math.sin(angle),
        )

    points = [
        at(-tail, -half),
        at(shoulder, -half),
        at(length, 0),
        at(shoulder, half),
        at(-tail, half),
    ]
    draw.polygon(points, fill=15)


def _face(hour_angle, minute_angle):
    dial, _ = _dial_and_mask()
    face = dial.copy()
    draw = ImageDraw.Draw(face)
    _draw_hand(draw, hour_angle, DIAL_RADIUS * 0.5, DIAL_RADIUS * 0.08, 14)
    _draw_hand(draw, minute_angle, DIAL_RADIUS * 0.86, DIAL_RADIUS * 0.05, 18)
    centre = DIAL_SIZE / 2
    draw.ellipse((centre - 7, centre - 7, centre + 7, centre + 7), fill=15)
    return face


@dataclass(frozen=True)
class Pose:
    """Where one clock sits in its photo, as drawn from `Difficulty`.

    minute_jitter: minutes the hands show past the label; diameter and shift:
    fractions of the image side; angles in degrees, rotation clockwise.
    """

    minute_jitter: float
    diameter: float
    rotation_deg: float
    tilt_deg: float
    tilt_axis_deg: float
    shift_x: float
    shift_y: float


def draw_pose(rng, difficulty):
    """The first draws of each image's generator: its jitter and geometry."""
    jitter = rng.uniform(0, difficulty.minute_jitter) if difficulty.minute_jitter else 0
    diameter = rng.uniform(difficulty.scale_min, 0.95)
    rotation = rng.uniform(-1, 1) * difficulty.rotation_deg
    tilt = rng.uniform(0, difficulty.tilt_deg)
    axis = math.degrees(rng.uniform(0, 2 * math.pi))
    shift = rng.uniform(-1, 1, size=2) * difficulty.shift
    return Pose(jitter, diameter, rotation, tilt, axis, shift[0], shift[1])


def clock_pose(seed, row, difficulty=Difficulty()):
    """The pose of row `row` of `generate_clocks(seed=seed, ...)`, for analysis."""
    return draw_pose(np.random.default_rng([seed, row]), difficulty)


def _homography(size, pose):
    """Matrix taking dial pixels to image pixels: rotate, scale, tilt, shift."""
    to_origin = np.array([[1, 0, -DIAL_SIZE / 2], [0, 1, -DIAL_SIZE / 2], [0, 0, 1]])

    scale = np.diag([pose.diameter * size / (2 * DIAL_RADIUS)] * 2 + [1.0])

    turn = math.radians(pose.rotation_deg)
    rotate = np.array(
        [
            [math.cos(turn), -math.sin(turn), 0],
            [math.sin(turn), math.cos(turn), 0],
            [0, 0, 1],
        ]
    )

    # Lean the dial by `tilt` around an axis in its plane, then project it
    # with a pinhole camera of focal length `focal`.
    tilt = math.radians(pose.tilt_deg)
    axis = math.radians(pose.tilt_axis_deg)
    ax, ay = math.cos(axis), math.sin(axis)
    cos_t, sin_t = math.cos(tilt), math.sin(tilt)
    lean = np.array(  # Rodrigues' rotation about (ax, ay, 0), first two columns
        [
            [cos_t + ax * ax * (1 - cos_t), ax * ay * (1 - cos_t)],
            [ax * ay * (1 - cos_t), cos_t + ay * ay * (1 - cos_t)],
            [-ay * sin_t, ax * sin_t],
        ]
    )
    focal = 1.5 * size
    project = np.array(
        [
            [lean[0, 0], lean[0, 1], 0],
            [lean[1, 0], lean[1, 1], 0],
            [lean[2, 0] / focal, lean[2, 1] / focal, 1],
        ]
    )

    centre_x = size / 2 + pose.shift_x * size
    centre_y = size / 2 + pose.shift_y * size
    to_image = np.array([[1, 0, centre_x], [0, 1, centre_y], [0, 0, 1]])
    return to_image @ project @ rotate @ scale @ to_origin


def _warp(image, homography, size):
    """Pillow wants the inverse map: for each output pixel, where to sample."""
    inverse = np.linalg.inv(homography)
    inverse /= inverse[2, 2]
    return image.transform(
        (size, size),
        Image.Transform.PERSPECTIVE,
        tuple(inverse.flatten()[:8]),
        resample=Image.Resampling.BILINEAR,
    )


def _background(size, rng):
    """A smooth random scene: a few soft blobs of grey on a base level."""
    coarse = rng.uniform(40, 200, size=(4, 4)).astype(np.uint8)
    return np.asarray(
        Image.fromarray(coarse).resize((size, size), Image.Resampling.BICUBIC),
        dtype=np.float32,
    )


def draw_clock(hour, minute, rng, difficulty=Difficulty(), size=150):
    """One grayscale clock showing hour:minute, as a (size, size) uint8 array."""
    pose = draw_pose(rng, difficulty)
    hour_angle, minute_angle = hand_angles(hour, minute + pose.minute_jitter)
    _, disk = _dial_and_mask()
    homography = _homography(size, pose)
    face = np.asarray(
        _warp(_face(hour_angle, minute_angle), homography, size), dtype=np.float32
    )
    cover = np.asarray(_warp(disk, homography, size), dtype=np.float32) / 255

    if difficulty == PLAIN:
        picture = face * cover + 128 * (1 - cover)
    else:
        picture = face * cover + _background(size, rng) * (1 - cover)

    rows, columns = np.mgrid[0:size, 0:size].astype(np.float32) / size - 0.5
    if difficulty.lighting:
        direction = rng.uniform(0, 2 * math.pi)
        slope = rng.uniform(0, difficulty.lighting)
        gain = 1 + slope * (math.cos(direction) * columns + math.sin(direction) * rows)
        picture = picture * gain * rng.uniform(1 - difficulty.lighting / 2, 1)

    if difficulty.glare:
        for _ in range(rng.integers(0, 3)):
            centre = rng.uniform(-0.3, 0.3, size=2)
            width = rng.uniform(0.03, 0.12)
            spot = np.exp(
                -((columns - centre[0]) ** 2 + (rows - centre[1]) ** 2) / (2 * width**2)
            )
            picture = picture + 255 * rng.uniform(0, difficulty.glare) * spot

    picture = Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8))
    if difficulty.blur:
        picture = picture.filter(
            ImageFilter.GaussianBlur(rng.uniform(0, difficulty.blur))
        )
    picture = np.asarray(picture, dtype=np.float32)
    if difficulty.noise:
        picture = picture + rng.normal(
            0, rng.uniform(0, difficulty.noise), picture.shape
        )
    return np.clip(np.rint(picture), 0, 255).astype(np.uint8)


def clock_labels(per_minute):
    """Labels [hour, minute], sorted by time, `per_minute` rows per minute."""
    minutes = np.repeat(np.arange(MINUTES_PER_DAY), per_minute)
    return np.stack([minutes // 60, minutes % 60], axis=1).astype(np.int64)


def _draw_rows(task):
    labels, first_row, seed, difficulty, size = task
    images = np.empty((len(labels), size, size), dtype=np.uint8)
    for offset, (hour, minute) in enumerate(labels):
        rng = np.random.default_rng([seed, first_row + offset])
        images[offset] = draw_clock(int(hour), int(minute), rng, difficulty, size)
    return images


def generate_clocks(
    per_minute=25, seed=0, difficulty=Difficulty(), size=150, workers=None
):
    """All 720 minutes, `per_minute` images each: (images, labels) arrays.

    `workers` processes draw chunks of rows (default: one per CPU core).
    """
    if per_minute < 1:
        raise ValueError(f"clocks per_minute must be at least 1, not {per_minute}")
    labels = clock_labels(per_minute)
    workers = workers or multiprocessing.cpu_count()
    chunk = max(1, math.ceil(len(labels) / (workers * 8)))
    tasks = [
        (labels[start : start + chunk], start, seed, difficulty, size)
        for start in range(0, len(labels), chunk)
    ]
    if workers == 1:
        parts = [_draw_rows(task) for task in tasks]
    else:
        # An executor, unlike multiprocessing.Pool, fails instead of hanging
        # when a worker dies.
        with concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn")
        ) as pool:
            parts = list(pool.map(_draw_rows, tasks))
    return np.concatenate(parts), labels


def write_clocks(folder, images, labels):
    """Save as the course distributed the data: images.npy and labels.npy."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "images.npy", images)
    np.save(folder / "labels.npy", labels)
