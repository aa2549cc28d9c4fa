"""generate(): the whole sample company, streamed chunk by chunk into the five source databases."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from core import clock
from core.errors import InvalidInput, NotFound
from sample_data import plants, records, registry, vocab
from sample_data.context import Context
from sample_data.manifest import MANIFEST_NAME, Manifest, describe_tables, file_entry, registry_entry
from sample_data.people import PeopleFactory, Person
from sample_data.schema import SYSTEMS, TRUTH_COLUMNS
from sample_data.store import BackgroundStore, SourceStore, database_path
from sample_data.systems import WRITERS

CHUNK_PEOPLE = 5_000  # people per chunk: bounds memory and fixes the random streams
MAX_CUSTOMERS = 3_000_000  # the number plans hand out unique phones up to about here
BACKGROUND_FROM = 20_000  # from this size a child process writes the databases while people are made


def generate(
    out_dir: Path | str,
    *,
    customers: int = 100_000,
    seed: int = 7,
    as_of: datetime | None = None,
    progress: bool = True,
) -> Manifest:
    """Write the sample company for `seed` and `customers` into `out_dir`, relative to `as_of`."""
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise InvalidInput(f"customers must be between 1 and {MAX_CUSTOMERS:,}", field="customers")
    if seed < 0:
        raise InvalidInput("seed must be zero or a positive integer", field="seed")
    when = clock.as_utc(as_of or clock.now()).replace(microsecond=0)
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    (root / MANIFEST_NAME).unlink(missing_ok=True)  # an interrupted run leaves no stale manifest
    run = _Run(root, customers=customers, seed=seed, as_of=int(when.timestamp()))
    try:
        with tqdm(total=customers, unit="people", desc="sample company", disable=not progress) as bar:
            run.people(bar)
        return run.finish(when)
    finally:
        run.close()


class _Run:
    """One generation: the factory of people, the shared context, the stores and the counters."""

    def __init__(self, root: Path, *, customers: int, seed: int, as_of: int):
        self.root = root
        self.customers = customers
        self.seed = seed
        self.ctx = Context(seed=seed, as_of=as_of, company_domain=vocab.COMPANY["domain"])
        self.factory = PeopleFactory(seed=seed, as_of=as_of, customers=customers)
        sources = root / "sources"
        self.store = BackgroundStore(sources) if customers >= BACKGROUND_FROM else SourceStore(sources)
        self.listed: set[str] = set()
        self.jurisdictions: Counter = Counter()

    def people(self, bar: tqdm) -> None:
        """Every person, a chunk at a time; rows go to the databases and truth.csv after each chunk."""
        truth_path = self.root / "truth.csv"
        with truth_path.open("w", newline="") as fh:
            truth = csv.writer(fh, lineterminator="\n")
            truth.writerow(TRUTH_COLUMNS)
            chunk = 0
            while self.factory.next_idx < self.customers:
                self.ctx.start_chunk(chunk)
                start = self.factory.next_idx
                target = min(self.customers, start + CHUNK_PEOPLE)
                while self.factory.next_idx < target:
                    self._unit(self.factory.unit(self.ctx.rng))
                rows, truth_rows = self.ctx.take_rows()
                self.store.write(rows)
                truth.writerows(truth_rows)
                bar.update(self.factory.next_idx - start)
                chunk += 1

    def _unit(self, unit: list[Person]) -> None:
        sharing = 0
        for person in unit:
            written = self._person(person)
            sharing += person.on_landline and any(r.phone for r in written)
        if sharing >= 2:
            self.ctx.count("households_sharing_a_phone")
            self.ctx.count("people_in_shared_phone_households", sharing)

    def _person(self, person: Person) -> list[records.SourceRecord]:
        ctx = self.ctx
        planned = records.plan(ctx, person)
        events = plants.events_for(ctx, person, planned)
        for case, n in plants.classify(events, ctx.as_of).items():
            ctx.count(case, n)
        by_system = defaultdict(list)
        for event in events:
            by_system[event.system].append(event)
        for record in planned:
            WRITERS[record.system](ctx, person, record, by_system[record.system])
            ctx.truth.append((record.system, record.key, person.person_id))
        self._count_person(person, planned)
        return planned

    def _count_person(self, person: Person, planned: list[records.SourceRecord]) -> None:
        ctx = self.ctx
        ctx.count("people")
        ctx.count("source_records", len(planned))
        if len(planned) > 1:
            ctx.count("people_in_several_systems")
            ctx.count("duplicate_source_records", len(planned) - 1)
        if person.work_email and {person.email, person.work_email} <= {r.email for r in planned}:
            ctx.count("people_with_two_emails")
        if person.country not in vocab.RULED_COUNTRIES:
            ctx.count("unknown_jurisdiction_people")
        self.jurisdictions[person.jurisdiction] += 1
        if (
            person.country == "US"
            and any(r.phone for r in planned)
            and ctx.rng.random() < registry.LISTED_SHARE
        ):
            self.listed.add(person.phone.nsn)

    def close(self) -> None:
        """Stop a background writer left running by an error."""
        if isinstance(self.store, BackgroundStore):
            self.store.close()

    def finish(self, when: datetime) -> Manifest:
        """Indexes, the registry snapshot, file digests and the manifest (written last)."""
        counts = self.store.finish()
        path, rows = registry.write(
            self.root / "registry",
            as_of=self.ctx.as_of,
            seed=self.seed,
            customers=self.customers,
            listed=self.listed,
        )
        cases = dict(sorted(self.ctx.cases.items()))
        cases["registry_listed_customer_phones"] = len(self.listed)
        cases["registry_numbers"] = rows
        sources = self.root / "sources"
        files = [file_entry(database_path(sources, s), self.root, "sqlite") for s in SYSTEMS]
        files.append(file_entry(path, self.root, "csv"))
        files.append(file_entry(self.root / "truth.csv", self.root, "csv"))
        downloaded = registry.snapshot_date(self.ctx.as_of)
        manifest = Manifest(
            root=self.root,
            seed=self.seed,
            customers=self.customers,
            as_of=clock.iso(when),
            files=files,
            tables=describe_tables(counts),
            registry=registry_entry(
                path, self.root, rows=rows, downloaded_at=clock.iso(downloaded), listed=len(self.listed)
            ),
            cases=cases,
            noise=dict(sorted(self.ctx.noise.items())),
            people_by_jurisdiction=dict(sorted(self.jurisdictions.items())),
            company=dict(vocab.COMPANY),
        )
        manifest.save()
        return manifest


def as_of_from_text(text: str) -> datetime:
    """Parse an --as-of option (ISO 8601; a date alone means midnight UTC)."""
    try:
        if len(text.strip()) == 10:
            return datetime.fromisoformat(text.strip()).replace(tzinfo=UTC)
        return clock.parse_instant(text)
    except ValueError:
        raise InvalidInput(f"--as-of {text!r} is not an ISO 8601 date or instant", field="as_of") from None


def existing_sample(out_dir: Path | str, *, seed: int, customers: int) -> Manifest | None:
    """The complete sample already in `out_dir` for this seed and size, or None if it must be made."""
    try:
        manifest = Manifest.load(out_dir)
    except (NotFound, InvalidInput):
        return None
    if manifest.seed != seed or manifest.customers != customers:
        return None
    if not all((manifest.root / f["path"]).is_file() for f in manifest.files):
        return None
    return manifest
