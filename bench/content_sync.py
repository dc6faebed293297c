"""How long do authors wait for ``lms content check`` and ``lms content sync`` on 1,000 modules?

Generates a content tree in a temporary folder (3 areas, 50 courses of 20 modules by default;
every module 400-800 words of varied markdown plus a quiz of 4-6 mixed questions), creates a
throwaway SQLite database with ``lms db upgrade`` and times the real ``lms`` command, run as a
subprocess exactly as authors run it:

1. ``lms content check``          (no database)
2. the first ``lms content sync``  (everything is rendered and inserted)
3. a re-sync with nothing changed  (must say "Nothing to change")
4. a re-sync after editing 10 modules (must report exactly 10 updated modules)

Start-up is timed too (``lms content --help`` loads the CLI, ``lms routes`` also builds the
app), so that fixed cost can be told apart from work. Usage and measured figures:
``bench/README.md``.

    .venv/bin/python bench/content_sync.py [--modules 1000] [--repeat 3] [--keep] [--profile]

``--profile`` also times the pipeline's parts in-process (load, YAML, rendering) and runs
each sync under cProfile, to show where the time goes. The last line printed is one JSON object with every figure, for scripts and CI.
"""

import argparse
import cProfile
import io
import json
import math
import os
import platform
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from common import code_version

from lms.content.tree import AREAS

ROOT = Path(__file__).resolve().parent.parent
MODULES_PER_COURSE = 20
EDITS = 10
#: Seconds, on SQLite, as agreed for authoring at the scale of the whole programme.
TARGETS = {"first_sync_s": 15.0, "resync_unchanged_s": 2.0, "resync_10_edits_s": 3.0}

# Vocabulary for believable, varied text about CCI professionals meeting manufacturing.
TOPICS = [
    "additive manufacturing",
    "digital twins",
    "sensor networks",
    "circular materials",
    "design thinking",
    "collaborative robots",
    "machine vision",
    "predictive maintenance",
    "material passports",
    "service design",
    "data spaces",
    "life-cycle assessment",
    "rapid prototyping",
    "human-centred automation",
    "co-creation workshops",
    "smart textiles",
    "mass customisation",
    "remanufacturing",
    "user research",
    "factory storytelling",
]
PREFIXES = [
    "applied",
    "practical",
    "introducing",
    "strategic",
    "hands-on",
    "creative",
    "responsible",
    "everyday",
]
ASPECTS = [
    "materials",
    "costs",
    "risks",
    "workflows",
    "stakeholders",
    "quality",
    "tooling",
    "data",
    "ethics",
    "skills",
    "standards",
    "prototypes",
    "metrics",
    "partnerships",
    "scale-up",
    "maintenance",
    "briefing",
    "evaluation",
    "sourcing",
    "communication",
]
SUBJECTS = [
    "A designer",
    "The production team",
    "An SME owner",
    "The facilitator",
    "A service bureau",
    "The quality engineer",
    "A communication agency",
    "The learner",
    "A cross-sector partnership",
    "The maintenance crew",
]
VERBS = [
    "compares",
    "documents",
    "questions",
    "prototypes",
    "measures",
    "explains",
    "negotiates",
    "reviews",
    "maps",
    "tests",
]
OBJECTS = [
    "the build orientation of a bracket",
    "the energy use of each machine",
    "a customer journey through the workshop",
    "the supplier's material data sheet",
    "the cost of a small series",
    "the assumptions behind a forecast",
    "a storyboard for the new product line",
    "the tolerance stack of an assembly",
    "the carbon footprint of two packaging options",
    "the data that a sensor really delivers",
    "the brief for an external partner",
    "the hand-over between design and production",
]
QUALIFIERS = [
    "before the first order is placed",
    "with the people who will use the result",
    "so that the decision can be explained later",
    "using numbers rather than enthusiasm",
    "in a single afternoon workshop",
    "without waiting for a perfect data set",
    "while the pilot line is still flexible",
    "and writes the result on one page",
    "against a clearly stated goal",
    "because small errors multiply at scale",
]
CONNECTIVES = [
    "In practice,",
    "As a rule of thumb,",
    "Often,",
    "In many European SMEs,",
    "For a first project,",
    "Surprisingly,",
    "Over time,",
    "",
    "",
    "",
]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def count_words(markdown_text: str) -> int:
    """Words a reader sees: link targets and markup left out."""
    return len(re.findall(r"\w+", re.sub(r"\]\([^)]*\)", "]", markdown_text)))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class ContentGenerator:
    """Writes a deterministic, realistic content tree; remembers where the modules are."""

    def __init__(self, root: Path, modules: int, seed: int):
        self.root = root
        self.total = modules
        self.rng = random.Random(seed)
        self.module_paths: list[Path] = []
        self.word_counts: list[int] = []
        self.questions = 0

    # -- text ----------------------------------------------------------------------------
    def sentence(self) -> str:
        r = self.rng
        subject, verb, obj = r.choice(SUBJECTS), r.choice(VERBS), r.choice(OBJECTS)
        connective = r.choice(CONNECTIVES)
        if connective:
            subject = subject[0].lower() + subject[1:]
        roll = r.random()
        if roll < 0.12:
            obj = f"**{obj}**"
        elif roll < 0.22:
            obj = f"*{obj}*"
        elif roll < 0.27:
            obj = f"{obj} (see `{r.choice(ASPECTS)}.csv`)"
        words = [connective, subject, verb, obj, r.choice(QUALIFIERS)]
        return " ".join(w for w in words if w) + "."

    def paragraph(self, sentences: tuple[int, int] = (3, 6)) -> str:
        text = " ".join(self.sentence() for _ in range(self.rng.randint(*sentences)))
        # Wrap like an author's editor does, so that a diff stays readable.
        lines, line = [], ""
        for word in text.split():
            if len(line) + len(word) + 1 > 98:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        return "\n".join(lines)

    def table(self) -> str:
        r = self.rng
        rows = [
            f"| {a.capitalize()} | {r.randint(1, 12) * 5} % | {r.choice(QUALIFIERS)} |"
            for a in r.sample(ASPECTS, r.randint(3, 5))
        ]
        return "\n".join(["| Aspect | Share of effort | When it matters |", "|---|--:|---|", *rows])

    def admonition(self) -> str:
        r = self.rng
        kind = r.choice(("note", "tip", "warning"))
        title = f"{r.choice(('Ask about', 'Watch', 'Remember'))} {r.choice(ASPECTS)}"
        body = self.paragraph((2, 3)).replace("\n", "\n    ")
        return f'!!! {kind} "{title}"\n    {body}'

    def code_block(self) -> str:
        r = self.rng
        rows = "\n".join(f"{a},{r.randint(1, 99)},{r.randint(1, 9)}" for a in r.sample(ASPECTS, 4))
        return f"```csv\naspect,score,weight\n{rows}\n```"

    def module_body(self, number: int, previous: str | None, cross_link: str | None) -> str:
        """400-800 words: headings, lists, a table, an admonition, an image and links."""
        r = self.rng
        topic, aspect = r.choice(TOPICS), r.choice(ASPECTS)
        link = (
            f"In [the previous module]({previous}#summary) we looked at the basics; "
            f"this one goes further into {aspect}."
            if previous
            else "This module opens the course; see [the course introduction](course.md) first."
        )
        if cross_link:
            link += f" A related idea is covered in [another course]({cross_link})."
        blocks = [
            f"## {aspect.capitalize()} and {topic}",
            link,
            self.paragraph((2, 4)),
            f"## {aspect.capitalize()} in practice",
            self.paragraph((2, 4)),
            f"### What to ask a partner about {r.choice(ASPECTS)}",
            "\n".join(f"- {self.sentence()}" for _ in range(r.randint(2, 4))),
            f"![A diagram of {aspect} across the {topic} workflow, from brief to delivery]"
            f"(images/figure-{number:02d}.svg)",
            self.table(),
            self.admonition(),
            f"## Working with {r.choice(ASPECTS)}",
            "\n".join(f"{i}. {self.sentence()}" for i in range(1, r.randint(2, 4) + 1)),
        ]
        if r.random() < 0.4:
            blocks += ["#### A worked example", self.code_block()]
        if r.random() < 0.5:
            blocks.append("> " + self.sentence())
        target = r.randint(400, 760)  # the last paragraph added may overshoot a little
        closing = [
            "## Summary",
            self.paragraph((1, 2)),
            "Read more in the [EU Industry 5.0 overview]"
            "(https://research-and-innovation.ec.europa.eu/research-area/industrial-research-and-innovation/industry-50_en).",
        ]
        while count_words("\n".join(blocks + closing)) < target:
            blocks.insert(r.randrange(3, len(blocks)), self.paragraph((1, 2)))
        return "\n\n".join(blocks + closing) + "\n"

    # -- quizzes -------------------------------------------------------------------------
    def question(self, qtype: str, n: int) -> dict:
        r = self.rng
        aspect = r.choice(ASPECTS)
        q: dict = {"id": f"{qtype}-{aspect}-{n}", "type": qtype}
        if qtype in ("single", "multiple"):
            q["prompt"] = f"Which statement about *{aspect}* fits {r.choice(TOPICS)} best?"
            options = r.sample(OBJECTS, 4)
            right = {0} if qtype == "single" else set(r.sample(range(4), 2))
            q["choices"] = [
                {"text": f"Check {o}.", **({"correct": True} if i in right else {})}
                | ({"feedback": self.sentence()} if r.random() < 0.6 else {})
                for i, o in enumerate(options)
            ]
        elif qtype == "truefalse":
            q["prompt"] = self.sentence()
            q["answer"] = r.random() < 0.5
            q["correct_feedback"] = "Right: " + self.sentence()
        elif qtype == "short":
            q["prompt"] = f"Which one word names the step where a team {r.choice(VERBS)} {aspect}?"
            near = r.choice([a for a in ASPECTS if a != aspect])
            q["answers"] = [aspect, {"text": near, "credit": 50, "feedback": "Close."}]
        elif qtype == "numeric":
            a, b = r.randint(2, 40), r.randint(2, 20)
            q["prompt"] = f"A batch of {a} parts takes {b} minutes each. How many minutes in all?"
            q["value"] = a * b
            q["tolerance"] = 0
        elif qtype == "matching":
            q["prompt"] = "Match each aspect to when it matters most."
            q["pairs"] = [
                [x.capitalize(), y]
                for x, y in zip(r.sample(ASPECTS, 3), r.sample(QUALIFIERS, 3), strict=True)
            ]
        else:
            q["prompt"] = f"Where could {aspect} change your own practice, and why?"
        if qtype != "reflection" and r.random() < 0.7:
            q["explanation"] = " ".join(self.sentence() for _ in range(r.randint(1, 3)))
        return q

    def quiz(self) -> str:
        r = self.rng
        types = ["single", "multiple", "truefalse", "short", "numeric", "matching", "reflection"]
        chosen = r.sample(types, r.randint(4, 6))
        self.questions += len(chosen)
        data = {
            "pass_mark": r.choice((60, 70, 80)),
            "max_attempts": r.choice((0, 0, 3)),
            "shuffle": r.random() < 0.5,
            "reveal": r.choice(("after_each_attempt", "after_passing")),
            "questions": [self.question(t, n) for n, t in enumerate(chosen, start=1)],
        }
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=98)

    # -- files ---------------------------------------------------------------------------
    def course_slugs(self, count: int) -> list[str]:
        combos = [f"{p}-{slug(t)}" for p in PREFIXES for t in TOPICS]
        self.rng.shuffle(combos)
        return combos[:count] if count <= len(combos) else [f"course-{i}" for i in range(count)]

    def write(self) -> None:
        courses = math.ceil(self.total / MODULES_PER_COURSE)
        slugs = self.course_slugs(courses)
        placed: list[tuple[str, str, str]] = []  # (area, course slug, first module file)
        remaining = self.total
        for index, course_slug in enumerate(slugs):
            area = AREAS[index % len(AREAS)]
            count = min(MODULES_PER_COURSE, remaining)
            remaining -= count
            first = self.write_course(area, course_slug, count, placed[-1] if placed else None)
            placed.append((area, course_slug, first))

    def write_course(self, area: str, course_slug: str, count: int, before) -> str:
        r = self.rng
        folder = self.root / area / course_slug
        (folder / "images").mkdir(parents=True)
        prerequisites = [f"{before[0]}/{before[1]}"] if before and r.random() < 0.3 else []
        meta = {
            "title": course_slug.replace("-", " ").capitalize(),
            "summary": self.sentence(),
            "level": r.choice(("beginner", "intermediate", "advanced")),
            "duration_hours": r.randint(2, 12),
            "language": "en",
            "objectives": [self.sentence() for _ in range(r.randint(2, 4))],
            **({"prerequisites": prerequisites} if prerequisites else {}),
        }
        front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=98)
        intro = "\n\n".join(self.paragraph() for _ in range(2))
        (folder / "course.md").write_text(f"---\n{front}---\n\n{intro}\n")
        used: set[str] = set()
        previous = None
        first = ""
        for number in range(1, count + 1):
            module_slug = f"{r.choice(ASPECTS)}-{slug(r.choice(TOPICS))}"
            while module_slug in used:
                module_slug = f"{r.choice(ASPECTS)}-{slug(r.choice(TOPICS))}"
            used.add(module_slug)
            name = f"{number:02d}-{module_slug}"
            cross = f"../../{before[0]}/{before[1]}/{before[2]}" if before and number == 1 else None
            meta = {
                "title": module_slug.replace("-", " ").capitalize(),
                "duration_minutes": r.choice((20, 30, 45, 60)),
                "objectives": [self.sentence() for _ in range(r.randint(1, 3))],
            }
            front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=98)
            body = self.module_body(number, previous, cross)
            self.word_counts.append(count_words(body))
            path = folder / f"{name}.md"
            path.write_text(f"---\n{front}---\n\n{body}")
            (folder / f"{name}.quiz.yml").write_text(self.quiz())
            (folder / "images" / f"figure-{number:02d}.svg").write_text(
                '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 60">'
                f"<title>Figure {number}</title>"
                f'<rect x="10" y="10" width="{r.randint(20, 100)}" height="40"/></svg>\n'
            )
            self.module_paths.append(path)
            previous = f"{name}.md"
            first = first or f"{name}.md"
        return first

    def edit(self, round_: int, count: int = EDITS) -> list[Path]:
        """Reword ``count`` modules spread over different courses, as a small pull request."""
        step = max(1, len(self.module_paths) // count)
        chosen = [
            self.module_paths[(i * step + round_ * 7) % len(self.module_paths)]
            for i in range(count)
        ]
        for path in chosen:
            text = path.read_text()
            path.write_text(text.replace("## Summary", f"## Summary\n\nRevised ({round_}).", 1))
        return chosen


class Lms:
    """Runs the ``lms`` command against the throwaway database and times it."""

    def __init__(self, workdir: Path):
        self.command = str(Path(sys.executable).parent / "lms")
        if not Path(self.command).exists():
            self.command = shutil.which("lms") or "lms"
        self.workdir = workdir
        self.env = {
            **os.environ,
            "LMS_ENV": "development",
            "LMS_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "LMS_INSTANCE_PATH": str(workdir / "instance"),
            "LMS_CONTENT_DIR": str(workdir / "content"),
            "PYTHONWARNINGS": "ignore",
        }

    def run(self, *args: str) -> tuple[float, str]:
        """Seconds taken and the combined output; stops the benchmark if the command fails."""
        start = time.perf_counter()
        done = subprocess.run(
            [self.command, *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - start
        output = done.stdout + done.stderr
        if done.returncode != 0:
            sys.exit(f"`lms {' '.join(args)}` failed ({done.returncode}):\n{output[-4000:]}")
        return elapsed, output

    def python(self) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        return time.perf_counter() - start


def require(condition, what: str, output: str) -> None:
    """Stop with the command's output when it did not do what the step needs."""
    if not condition:
        sys.exit(f"Benchmark stopped: {what}. Output:\n{output[-4000:]}")


def updated_modules(output: str) -> set[str]:
    """``course/module`` of every module the sync reports as updated."""
    return set(re.findall(r"^\s+updated: module (\S+)", output, flags=re.MULTILINE))


def profile_in_process(workdir: Path, generator: ContentGenerator, lms: Lms) -> dict:
    """Where the time goes: the same work in-process on a second database.

    First the pipeline's parts are timed one by one without a profiler (a profiler slows
    pure-Python code such as PyYAML's parser far more than C code such as nh3), then each
    sync runs under cProfile and its most expensive functions are printed.
    """
    database = workdir / "profile.sqlite3"
    env = {**lms.env, "LMS_DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run(
        [lms.command, "db", "upgrade"], env=env, cwd=workdir, check=True, capture_output=True
    )
    os.environ.update({k: env[k] for k in ("LMS_ENV", "LMS_DATABASE_URL", "LMS_INSTANCE_PATH")})
    sys.path.insert(0, str(ROOT))
    from lms import create_app
    from lms.content.loader import load_content
    from lms.content.render import Renderer
    from lms.content.yamlfile import load_yaml, split_front_matter
    from lms.extensions import db
    from lms.publishing.sync import render_questions, sync_content

    content = workdir / "content"
    parts: dict[str, float] = {}

    def timed(name: str, work):
        start = time.perf_counter()
        result = work()
        parts[name] = round(time.perf_counter() - start, 3)
        return result

    start = time.perf_counter()
    app = create_app({"LMS_CONTENT_AUTOSYNC": False})
    parts["create_app_s"] = round(time.perf_counter() - start, 3)
    tree = timed("load_content_s", lambda: load_content(content))
    files = sorted(content.glob("*/*/*.md")) + sorted(content.glob("*/*/*.quiz.yml"))
    texts = [(path, path.read_text()) for path in files]
    timed(
        "yaml_s",
        lambda: [
            load_yaml(split_front_matter(text)[0] if path.suffix == ".md" else text)
            for path, text in texts
        ],
    )
    modules = [m for course in tree.courses for m in course.modules]
    renderer = Renderer()
    timed("render_modules_s", lambda: [renderer.render(m.body) for m in modules])
    timed(
        "render_quizzes_s",
        lambda: [render_questions(m.quiz.questions, renderer) for m in modules if m.quiz],
    )

    def sync() -> None:
        report = sync_content(content)
        require(report.applied, "in-process sync refused", str(report.tree.errors[:3]))
        db.session.commit()

    labels = {
        "create_app_s": "create_app()",
        "load_content_s": "load_content(): read and check everything",
        "yaml_s": "  of which YAML parsing (front matter + quizzes)",
        "render_modules_s": "Renderer.render() of every module (first sync)",
        "render_quizzes_s": "render_questions() of every quiz (first sync)",
    }
    print("\nIn-process, without a profiler (seconds):")
    for key, label in labels.items():
        print(f"  {label:<52}{parts[key]:>7.2f}")

    with app.app_context():
        for key, name in (
            ("first_sync_profiled_s", "first sync"),
            ("resync_unchanged_profiled_s", "unchanged re-sync"),
            ("resync_10_edits_profiled_s", f"re-sync after {EDITS} edits"),
        ):
            if key == "resync_10_edits_profiled_s":
                generator.edit(round_=99)
            profiler = cProfile.Profile()
            start = time.perf_counter()
            profiler.enable()
            sync()
            profiler.disable()
            parts[key] = round(time.perf_counter() - start, 3)
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(10)
            lines = [
                line for line in out.getvalue().splitlines() if re.match(r"\s+[\d/]+\s+\d", line)
            ]
            print(
                f"\n{name}: sync_content() + commit took {parts[key]:.2f} s under cProfile; "
                "top functions by own time:"
            )
            print("   ncalls  tottime  percall  cumtime  percall filename:lineno(function)")
            print("\n".join(lines))
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=1000, help="modules to generate")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each repeatable step")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--profile", action="store_true", help="also profile in-process")
    args = parser.parse_args()
    if args.modules < EDITS:
        parser.error(f"--modules must be at least {EDITS}")

    workdir = Path(tempfile.mkdtemp(prefix="lms-bench-content-"))
    try:
        generator = ContentGenerator(workdir / "content", args.modules, args.seed)
        start = time.perf_counter()
        generator.write()
        generated_s = time.perf_counter() - start
        words = generator.word_counts
        courses = math.ceil(args.modules / MODULES_PER_COURSE)
        print(
            f"Generated {args.modules} modules in {courses} course(s) in {generated_s:.1f} s under "
            f"{workdir}: {sum(words):,} words (per module {min(words)}-{max(words)}, median "
            f"{median(words):.0f}), {generator.questions:,} quiz questions"
        )
        code = code_version()
        print(
            f"Code {code}; Python {platform.python_version()} on {platform.machine()}, "
            f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f} (other work on the "
            f"machine slows every figure); SQLite; median of {args.repeat} run(s) where repeatable."
        )
        lms = Lms(workdir)
        upgrade_s, _ = lms.run("db", "upgrade")

        samples: dict[str, list[float]] = {
            k: []
            for k in (
                "python_s",
                "cli_s",
                "app_s",
                "check_s",
                "resync_unchanged_s",
                "resync_10_edits_s",
            )
        }
        for _ in range(args.repeat):
            samples["python_s"].append(lms.python())
            samples["cli_s"].append(lms.run("content", "--help")[0])
            samples["app_s"].append(lms.run("routes")[0])

        for _ in range(args.repeat):
            elapsed, output = lms.run("content", "check", "content")
            require(re.search(r"^OK: ", output, flags=re.MULTILINE), "check found problems", output)
            samples["check_s"].append(elapsed)

        first_sync_s, output = lms.run("content", "sync", "content")
        created = re.search(r"Published: (\d+) created", output)
        # A course, a module and a quiz row per module file, plus one row per course.
        expected = 2 * args.modules + courses
        require(
            created and int(created.group(1)) == expected, f"expected {expected} created", output
        )

        for _ in range(args.repeat):
            elapsed, output = lms.run("content", "sync", "content")
            require("Nothing to change" in output, "an unchanged re-sync changed something", output)
            samples["resync_unchanged_s"].append(elapsed)

        for round_ in range(args.repeat):
            edited = generator.edit(round_)
            elapsed, output = lms.run("content", "sync", "content")
            expected = {f"{path.parent.name}/{path.stem.split('-', 1)[1]}" for path in edited}
            require(
                updated_modules(output) == expected
                and re.search(rf"Published: {EDITS} updated\b", output),
                f"expected exactly the {EDITS} edited modules to be updated",
                output,
            )
            samples["resync_10_edits_s"].append(elapsed)

        figures = {k: round(median(v), 3) for k, v in samples.items()}
        figures["first_sync_s"] = round(first_sync_s, 3)
        met = {name: figures[name] < limit for name, limit in TARGETS.items()}
        rows = [
            ("lms content check", "check_s", "cli_s"),
            ("first lms content sync", "first_sync_s", "app_s"),
            ("re-sync, nothing changed", "resync_unchanged_s", "app_s"),
            (f"re-sync after {EDITS} edits", "resync_10_edits_s", "app_s"),
        ]
        print()
        print(f"{'step':<28}{'total':>9}{'start-up':>10}{'work':>9}   target")
        for label, key, startup in rows:
            total = figures[key]
            target = (
                f"< {TARGETS[key]:g} s  {'met' if met[key] else 'MISSED'}"
                if key in TARGETS
                else "(none)"
            )
            print(
                f"{label:<28}{total:>8.2f}s{figures[startup]:>9.2f}s"
                f"{total - figures[startup]:>8.2f}s   {target}"
            )
        print(
            f"\nStart-up alone: python -c pass {figures['python_s']:.2f} s; "
            f"`lms content --help` (imports, what check pays) {figures['cli_s']:.2f} s; "
            f"`lms routes` (imports + create_app, what sync pays) {figures['app_s']:.2f} s. "
            f"`lms db upgrade` took {upgrade_s:.2f} s."
        )
        meets = all(met.values())
        print(
            "All targets met."
            if meets
            else "Targets MISSED: " + ", ".join(k for k, ok in met.items() if not ok)
        )

        profile = profile_in_process(workdir, generator, lms) if args.profile else None
        if args.keep:
            print(f"Kept {workdir} (content/, bench.sqlite3).")
        result = {
            "benchmark": "content_sync",
            "modules": args.modules,
            "courses": courses,
            "words": sum(words),
            "questions": generator.questions,
            "check_s": figures["check_s"],
            "first_sync_s": figures["first_sync_s"],
            "resync_unchanged_s": figures["resync_unchanged_s"],
            "resync_10_edits_s": figures["resync_10_edits_s"],
            "startup": {k: figures[k] for k in ("python_s", "cli_s", "app_s")},
            "samples": {k: [round(x, 3) for x in v] for k, v in samples.items()},
            "repeat": args.repeat,
            "code": code,
            "python": platform.python_version(),
            "load_avg": [round(x, 2) for x in os.getloadavg()],
            "targets": {
                name: {"limit_s": limit, "met": met[name]} for name, limit in TARGETS.items()
            },
            **({"profile_s": profile} if profile else {}),
            "meets_targets": meets,
        }
        print(json.dumps(result))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
