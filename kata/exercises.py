"""The exercise registry: the one place that names every exercise, its file and its points.

Everything else (the test markers, the grader's gradebook columns, the progress table,
hints, the handout) reads this list, so adding an exercise means adding one line here.
The order is the teaching order: each exercise needs only the ones above it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    id: str  # "conv.backward": the gradebook column and the test marker's argument
    module: str  # "conv": the file conv.py in exercises/ and solutions/
    points: int  # the exercise's total; its tests share it by their weights
    track: str  # "seed" (one image, HWC) or "advanced" (batched, NCHW)
    title: str
    # The functions/methods of the file whose SOLUTION blocks the exercise is about; by
    # default the id's second part ("conv.backward" -> backward).
    functions: tuple[str, ...] = ()
    # Other exercise files its code imports: their bugs (or tricks) show in its tests too.
    imports: tuple[str, ...] = ()

    @property
    def written_in(self) -> tuple[str, ...]:
        return self.functions or (self.id.split(".", 1)[1],)


EXERCISES: tuple[Exercise, ...] = (
    Exercise("softmax.softmax", "softmax", 5, "seed", "Softmax, stable for large logits"),
    Exercise("softmax.cross_entropy", "softmax", 10, "seed", "Cross-entropy loss and its gradient"),
    Exercise("dense.forward", "dense", 5, "seed", "Fully connected layer, forward"),
    Exercise("dense.backward", "dense", 15, "seed", "Fully connected layer, backward"),
    Exercise("maxpool.forward", "maxpool", 5, "seed", "2x2 max pooling, forward"),
    Exercise("maxpool.backward", "maxpool", 15, "seed", "Max pooling, backward (one winner per window)"),
    Exercise("conv.forward", "conv", 15, "seed", "Convolution (cross-correlation), forward"),
    Exercise("conv.backward", "conv", 20, "seed", "Convolution, backward (d_filters and d_image)"),
    Exercise("network.train", "network", 20, "seed", "The whole CNN: forward, one SGD step, predict",
             functions=("logits", "forward", "train_step", "predict"),
             imports=("softmax", "dense", "maxpool", "conv")),
    Exercise("relu.forward", "relu", 2, "advanced", "ReLU, forward"),
    Exercise("relu.backward", "relu", 3, "advanced", "ReLU, backward"),
    Exercise("linear.forward", "linear", 3, "advanced", "Batched linear layer, forward"),
    Exercise("linear.backward", "linear", 7, "advanced", "Batched linear layer, backward (sums over the batch)"),
    Exercise("loss.softmax_cross_entropy", "loss", 10, "advanced", "Batched softmax cross-entropy and its gradient"),
    Exercise("pool2d.forward", "pool2d", 5, "advanced", "NCHW max pooling with stride, forward"),
    Exercise("pool2d.backward", "pool2d", 10, "advanced", "Max pooling, backward (overlapping windows accumulate)"),
    Exercise("conv2d.forward", "conv2d", 10, "advanced", "NCHW convolution with stride, padding and bias, forward"),
    Exercise("conv2d.backward", "conv2d", 15, "advanced", "NCHW convolution, backward (d_weights, d_bias, d_x)"),
    Exercise("fast_conv.forward", "fast_conv", 10, "advanced", "Vectorized convolution (im2col), forward",
             imports=("conv2d",)),
    Exercise("fast_conv.backward", "fast_conv", 15, "advanced", "Vectorized convolution (col2im), backward",
             imports=("conv2d",)),
    Exercise("fast_conv.speed", "fast_conv", 10, "advanced", "Vectorized convolution, speed against a NumPy baseline",
             functions=("forward", "backward"), imports=("conv2d",)),
    Exercise("model.train", "model", 10, "advanced", "A batched CNN trained on digits with minibatch SGD",
             functions=("forward", "backward", "fit"),
             imports=("relu", "linear", "loss", "pool2d", "conv2d")),
)

BY_ID: dict[str, Exercise] = {exercise.id: exercise for exercise in EXERCISES}

# What an instructor can assign: one track, or both ("all", the default everywhere).
TRACKS = ("seed", "advanced", "all")


def in_track(track: str = "all") -> list[Exercise]:
    """The exercises of one track ("seed", "advanced") or of every track ("all"), in teaching order."""
    if track not in TRACKS:
        raise ValueError(f"unknown track {track!r}; choose one of: {', '.join(TRACKS)}")
    return [exercise for exercise in EXERCISES if track in ("all", exercise.track)]


def modules(track: str = "all") -> list[str]:
    """The exercise files' module names, in teaching order, each once."""
    return list(dict.fromkeys(exercise.module for exercise in in_track(track)))


def exercises_in(module: str) -> list[Exercise]:
    """The exercises that live in one file, e.g. exercises_in("conv")."""
    return [exercise for exercise in EXERCISES if exercise.module == module]


def importers_of(module: str) -> set[str]:
    """Ids of the exercises of other files that import this one (network.train for "conv")."""
    return {e.id for e in EXERCISES if module in e.imports}


def affected_by(module: str) -> set[str]:
    """Ids of the exercises whose tests run code of one file: its own and its importers'."""
    return {e.id for e in exercises_in(module)} | importers_of(module)


def normalize(name: str | None) -> str | None:
    """A user's EX=... as the registry spells it: "conv.py" and "exercises/conv.py" mean "conv"."""
    if not name:
        return name
    name = name.strip().removeprefix("exercises/")
    return name.removesuffix(".py") if name.endswith(".py") else name


def names(track: str = "all") -> list[str]:
    """Every name EX=... accepts: the files' modules, then the exercise ids."""
    return modules(track) + [e.id for e in in_track(track)]


def unknown_name_message(name: str, track: str = "all") -> str:
    """"unknown exercise 'conv.backwrd'; did you mean conv.backward?", not a list of all 34 names."""
    close = difflib.get_close_matches(name, names(track), n=3, cutoff=0.6)
    if close:
        return f"unknown exercise {name!r}; did you mean {' or '.join(close)}?"
    return f"unknown exercise {name!r}; the files are {', '.join(modules(track))} (`make test` lists every exercise)"


def select(name: str | None, track: str = "all") -> list[Exercise]:
    """Exercises of a track matching a user's EX=...: a module ("conv" or "conv.py"), an id
    ("conv.backward") or all.

    Raises ValueError saying the closest valid names when nothing matches.
    """
    exercises = in_track(track)
    name = normalize(name)
    if not name:
        return exercises
    chosen = [e for e in exercises if name in (e.id, e.module)]
    if not chosen:
        raise ValueError(unknown_name_message(name, track))
    return chosen
