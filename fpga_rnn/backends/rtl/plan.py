"""Parallelism plans for the RTL cores: how many multipliers each MAC engine gets,
how its rows and inputs are tiled, and the latency that follows.

A MAC engine (``frnn_matvec``) multiplies a ``PR x PK`` tile per cycle: PR output
rows, PK inputs. The *reuse factor* R is how many times each multiplier may be
used per layer invocation (a dense pass, a recurrent step). Dense layers take the
tile with the fewest multipliers with ``ceil(rows/PR) * ceil(K/PK) <= R``.
A recurrent layer has one engine for U*h and W*x + b (``RecurrentPlan``): U*h is
tiled by whole units (PR = rows-per-unit * PU) so each finished row block feeds
PU cell lanes directly, and W*x + b uses the same tile.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache

from fpga_rnn.errors import UnsupportedError
from fpga_rnn.ir.conv import Conv1D, Window
from fpga_rnn.ir.kinds import CELLS
from fpga_rnn.ir.layers import Layer  # lane latency, chain and lane multipliers per cell

# Preference tiers (ratio of a plan's cycles per step to the lower bound for its
# multipliers, most multipliers relative to the fewest), tried in turn: the first
# that some plan within the reuse meets wins (1.2 is the project's target). The
# last tier serves GRU reset_after=0 layers of a few units, whose passes of a few
# rows tile raggedly: meeting 1.2x there takes up to 4.5x the fewest multipliers.
EFFICIENCY = ((1.1, 1.5), (1.2, 1.5), (1.2, math.inf))
# frnn_matvec's MP: up to this many register the multipliers' inputs and products;
# one more registers the pass request (start, first block, block count), the next
# the adder tree at every level (ceil(log2 pk) stages, at least one)
MAC_PRODUCT_STAGES = 2
MAC_TREE_STAGE = 4  # the mac_stages from which the adder tree is registered
MAC_OPERAND_STAGE = 5  # the mac_stages from which the vector and ROM address are registered
MAC_WEIGHT_STAGE = 6  # ... and from which the ROM's output (and the vector again) too
# projected LSTM: cycles of the projector hand-off beyond its pass and fill (request
# register, frnn_dense's result and output registers, the h' write), from simulation
PROJ_HANDOFF = 3


def product_stages(mac_stages: int, pk: int) -> int:
    """Registers between a tile's issue and its accumulation (frnn_matvec PD) for an
    engine of ``pk`` inputs per cycle."""
    tree = max(1, math.ceil(math.log2(pk))) if mac_stages >= MAC_TREE_STAGE else 0
    operands = int(mac_stages >= MAC_OPERAND_STAGE) + int(mac_stages >= MAC_WEIGHT_STAGE)
    return min(mac_stages, MAC_PRODUCT_STAGES) + operands + tree


@dataclass(frozen=True)
class Tile:
    """A MAC engine's tiling: ``pr`` rows x ``pk`` inputs per cycle."""

    rows: int  # output rows, padded to nb * pr
    k: int
    pr: int
    pk: int

    @property
    def nb(self) -> int:
        return math.ceil(self.rows / self.pr)

    @property
    def kb(self) -> int:
        return math.ceil(self.k / self.pk)

    @property
    def cycles(self) -> int:
        return self.nb * self.kb

    @property
    def multipliers(self) -> int:
        return self.pr * self.pk

    def to_json(self) -> dict:
        return asdict(self) | {"nb": self.nb, "kb": self.kb, "cycles": self.cycles}


def tile(rows: int, k: int, reuse: int) -> Tile:
    """A dense layer's tile: fewest multipliers with ``cycles <= reuse`` (at least
    one cycle); ties go to fewer cycles."""
    best: tuple[int, int, Tile] | None = None
    for pr in range(1, rows + 1):
        nb = math.ceil(rows / pr)
        kb_max = reuse // nb
        if kb_max < 1:
            continue
        t = Tile(rows=rows, k=k, pr=pr, pk=math.ceil(k / kb_max))
        key = (t.multipliers, t.cycles)
        if best is None or key < best[:2]:
            best = (*key, t)
    if best is None:  # reuse below one pass per cycle: full parallelism
        return Tile(rows=rows, k=k, pr=rows, pk=k)
    return best[2]


@dataclass(frozen=True)
class RecurrentPlan:
    """One MAC engine of ``pr x pk`` multipliers per recurrent layer (frnn_recurrent).

    A step runs the U*h pass (``h``), for GRU reset_after=0 a second one (``h2``),
    then the next input's W*x + b pass (``x``) while the last block's cell lanes
    finish.
    """

    kind: str  # simple_rnn | lstm | gru | gru_rb
    gates: int
    units: int
    inputs: int
    pu: int  # cell lanes = units per U*h row block
    pk: int
    mac_stages: int = 0  # MAC engine pipeline stages between a tile's issue and its sum
    lane_stages: int = 0  # cell lane pipeline depth (0..3)
    rec_inputs: int = 0  # elements of the vector U multiplies (0: units; projected LSTM: Po)
    proj: Tile | None = None  # projected LSTM: the output projector's engine (Po x H)

    @property
    def pass_rows(self) -> int:
        """U*h rows per unit in one pass (GRU reset_after=0: z|r, then U_h alone)."""
        return CELLS[self.kind].first_pass_gates

    @property
    def lanes(self) -> int:
        return self.pu

    @property
    def pr(self) -> int:
        return self.pass_rows * self.pu

    @property
    def h(self) -> Tile:
        """U*h rows of one pass."""
        k = self.rec_inputs or self.units
        return Tile(rows=self.units * self.pass_rows, k=k, pr=self.pr, pk=self.pk)

    @property
    def split(self) -> bool:
        """GRU reset_after=0's second pass (U_h rows only) fills its row blocks with
        two lane groups of units, the second group entering the lanes one cycle
        later; it needs blocks at least two cycles apart (two input blocks) and more
        than one lane group (else the second group is empty and only costs a cycle)."""
        return self.kind == "gru_rb" and self.h.kb >= 2 and self.units > self.pu

    @property
    def h2(self) -> Tile | None:
        """GRU reset_after=0's second U*h pass: U_h rows, 2*pu units per block when
        ``split``, else pu (half of each block empty)."""
        if self.kind != "gru_rb":
            return None
        per_unit = 1 if self.split else 2
        return Tile(rows=self.units * per_unit, k=self.units, pr=self.pr, pk=self.pk)

    @property
    def x_parts(self) -> tuple[Tile, ...]:
        """W*x + b rows, unit-major (u * gates + g); GRU reset_after=0 in two parts
        (z|r rows laid out like pass 1, then the U_h gate's rows) so that the first
        part fills the engine while pass 1's lanes compute r.h."""
        if self.kind == "gru_rb":
            a = Tile(rows=self.units * 2, k=self.inputs, pr=self.pr, pk=self.pk)
            return a, Tile(rows=self.units, k=self.inputs, pr=self.pr, pk=self.pk)
        return (Tile(rows=self.units * self.gates, k=self.inputs, pr=self.pr, pk=self.pk),)

    @property
    def x(self) -> Tile:
        """The W*x + b section of the engine's ROM: its parts' blocks in turn."""
        parts = self.x_parts
        rows = sum(t.nb for t in parts) * self.pr if len(parts) > 1 else parts[0].rows
        return Tile(rows=rows, k=self.inputs, pr=self.pr, pk=self.pk)

    @property
    def mac_cycles(self) -> int:
        """Engine cycles per step: every multiplier is used this many times."""
        return self.h.cycles + (self.h2.cycles if self.h2 else 0) + self.x.cycles

    @property
    def mac_multipliers(self) -> int:
        return self.pr * self.pk

    @property
    def multipliers(self) -> int:
        lanes = self.lanes * CELLS[self.kind].lane_multipliers
        return self.mac_multipliers + lanes + (self.proj.multipliers if self.proj else 0)

    @property
    def product_stages(self) -> int:
        """Registers between a tile's issue and its accumulation (frnn_matvec PD)."""
        return product_stages(self.mac_stages, self.pk)

    @property
    def proj_cycles(self) -> int:
        """Projected LSTM: state written -> h' in (0 without a projector): the request,
        the projector's pass and fill, its result and output registers, the h' write."""
        if self.proj is None:
            return 0
        return (
            PROJ_HANDOFF
            + self.proj.cycles
            + product_stages(self.mac_stages, self.proj.pk)
            + (self.start_delay)
        )

    @property
    def start_delay(self) -> int:
        """1 when the engine registers its pass requests (mac_stages >= 3): every pass
        issues its first tile a cycle after the controller decides it."""
        return int(self.mac_stages > MAC_PRODUCT_STAGES)

    @property
    def lane_cycles(self) -> int:
        """A lane's latency at this lane depth (kinds table)."""
        return CELLS[self.kind].lane_cycles(self.lane_stages)

    @property
    def tail(self) -> int:
        """The last row block's sums -> the state written: the lanes' latency, the
        write, and a split second pass's late lane group."""
        return self.lane_cycles + 1 + self.split

    @property
    def step_cycles(self) -> int:
        """U*h pass(es), then the W*x pass of the next input beside the lanes' chain
        (lane latency + state write). GRU reset_after=0: the first W*x part runs
        beside pass 1's lanes (r.h), which the second pass waits for; the second
        part beside the final chain, where a split second pass's last lane group
        enters a cycle late. Assumes the next input is waiting (a streaming input).
        The MAC stages delay every pass's results; on the recurrence (U*h, then the
        lanes) nothing can hide them, so each dependent U*h pass pays them once."""
        lat, tail = self.lane_cycles, self.tail
        fill, sd = self.product_stages, self.start_delay
        # a registered start costs each pass a cycle: the recurrence pays it once per
        # U*h pass (like the fill), the W*x parts in their own length
        if self.h2 is not None:
            xa, xb = self.x_parts
            gap = max(xa.cycles + 2 * sd, fill + lat + 1 + sd)
            return self.h.cycles + gap + self.h2.cycles + fill + sd + max(xb.cycles + sd, tail)
        return self.h.cycles + fill + sd + max(self.x.cycles + sd, tail + self.proj_cycles)

    @property
    def sample_cycles(self) -> int:
        """A streamed sample's latency in a streaming design (docs/streaming.md): its
        input beat accepted by the idle layer -> its output beat valid. The sample's
        whole W*x pass, then the U*h pass(es) (GRU reset_after=0: r.h in the lanes
        between its two), then the lanes' chain, then the output register. A projected
        LSTM projects each sample's h after its output; a sample sent sooner than
        ``proj_cycles`` after the last output waits for that (up to that many more)."""
        issue = self.product_stages + self.start_delay  # a pass's fill and request
        passes = self.h.cycles + issue
        if self.h2 is not None:
            passes += self.lane_cycles + 1 + self.h2.cycles + issue
        return self.x.cycles + issue + passes + self.tail + 1

    @property
    def step_lower_bound(self) -> int:
        """The bound (docs/latency.md) for M MAC multipliers and a MAC fill of P cycles
        (product and tree registers, the registered pass request; lane registers too):
        every step needs G*H*(X+H) MACs, and the recurrent path needs U*h (W*x can run
        ahead), the pipeline's fill for each of its D dependent U*h passes (GRU
        reset_after=0: 2), then the chain::

            max(ceil(G*H*(X+H)/M), ceil(G*H*H/M) + D*P + chain)

        A projected LSTM multiplies U by Po elements, and its chain adds the projector's
        pass over its own Mq multipliers: ceil(Po*H/Mq) and its fill.
        """
        g, n, x, m = self.gates, self.units, self.inputs, self.mac_multipliers
        ku = self.rec_inputs or n
        passes = 1 if self.h2 is None else 2
        cell = CELLS[self.kind]
        # the MAC's fill: its product and tree registers, and the registered pass request
        lane = self.lane_cycles - cell.lane_latency
        stages = self.product_stages + self.start_delay + lane
        chain = cell.chain + passes * stages
        if self.proj is not None:
            q = self.proj
            fill = product_stages(self.mac_stages, q.pk) + self.start_delay
            chain += math.ceil(q.rows * q.k / q.multipliers) + fill
        return max(math.ceil(g * n * (x + ku) / m), math.ceil(g * n * ku / m) + chain)

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "units": self.units,
            "inputs": self.inputs,
            "x_tile": self.x.to_json(),
            "h_tile": self.h.to_json(),
            **({"h2_tile": self.h2.to_json()} if self.h2 else {}),
            "lanes": self.lanes,
            "mac_stages": self.mac_stages,
            "lane_stages": self.lane_stages,
            "lane_latency": self.lane_cycles,
            "multipliers": self.multipliers,
            "mac_multipliers": self.mac_multipliers,
            "mac_cycles_per_step": self.mac_cycles,
            "cycles_per_step": self.step_cycles,
            "sample_latency_cycles": self.sample_cycles,
            "lower_bound_cycles_per_step": self.step_lower_bound,
            **(
                {"projector_tile": self.proj.to_json(), "projector_cycles": self.proj_cycles}
                if self.proj
                else {}
            ),
        }


@lru_cache(maxsize=4096)  # a pure function of integers; fit and the designer ask often
def plan_recurrent(
    kind: str,
    gates: int,
    units: int,
    inputs: int,
    reuse: int,
    mac_stages: int = 0,
    lane_stages: int = 0,
    projection: int = 0,
) -> RecurrentPlan:
    """The plan with the fewest multipliers (lanes included) whose engine cycles per
    step are at most ``reuse``; ties go to fewer cycles per step. Plans within
    EFFICIENCY's ratio of the lower bound for their multipliers are preferred
    (tilings that waste cycles on ragged blocks lose) if they cost at most its
    slack times the fewest multipliers. Below one tile per pass (two engine cycles
    per step, GRU reset_after=0 four) the engine is fully parallel. A projected LSTM
    (``projection`` Po) has U over Po elements and a projector engine tiled like a
    Dense layer of Po outputs at the same reuse.
    """
    if reuse < 1:
        raise UnsupportedError(f"reuse factor must be >= 1, got {reuse}")
    ku = projection or units
    proj = tile(projection, units, reuse) if projection else None
    extra = {"rec_inputs": projection, "proj": proj}
    plans = []
    for pu in range(1, units + 1):
        if pu > 1 and math.ceil(units / (pu - 1)) == math.ceil(units / pu):
            continue  # fewer lanes give the same row blocks
        for pk in _useful_pk(ku, inputs):
            p = RecurrentPlan(kind, gates, units, inputs, pu, pk, mac_stages, lane_stages, **extra)
            if p.mac_cycles <= reuse:
                plans.append(p)
    if not plans:
        full = max(ku, inputs)
        return RecurrentPlan(
            kind, gates, units, inputs, units, full, mac_stages, lane_stages, **extra
        )
    key = lambda p: (p.multipliers, p.step_cycles)  # noqa: E731
    best = min(plans, key=key)
    for ratio, slack in EFFICIENCY:
        good = [p for p in plans if p.step_cycles <= ratio * p.step_lower_bound]
        if good and min(good, key=key).multipliers <= slack * best.multipliers:
            return min(good, key=key)
    return best


def _useful_pk(units: int, inputs: int) -> list[int]:
    """Input-block widths that give distinct (U*h, W*x) block counts: the smallest
    width for each."""
    seen, out = set(), []
    for pk in range(1, max(units, inputs) + 1):
        key = (math.ceil(units / pk), math.ceil(inputs / pk))
        if key not in seen:
            seen.add(key)
            out.append(pk)
    return out


def sequence_lower_bound(layers: list[dict], timesteps: int) -> int:
    """Lower bound on one sequence's latency: the slowest per-step layer pays every
    one of its steps, the others (pipelined behind it) at least one step each, plus one
    MAC pass of every dense layer, plus the input time of each Bidirectional layer.
    Layers after a window layer (its ``window`` entry) run its output steps."""
    per_step: list[tuple[int, int]] = []  # (steps, cycles per step)
    dense = wait = 0
    t = timesteps
    for la in layers:
        if "window" in la:
            t = Window(**la["window"]).steps(t)
        if "lower_bound_cycles_per_step" in la:
            per_step.append((t, int(la["lower_bound_cycles_per_step"])))
        elif "window" in la:  # a Conv1D's MAC pass per window, pipelined like a step
            per_step.append((t, int(la.get("lower_bound_cycles", 1))))
        else:
            dense += int(la.get("lower_bound_cycles", 0))
        # a Bidirectional layer reads the whole sequence (>= 1 beat per cycle) first
        wait += t if la.get("waits_for_sequence") else 0
    if not per_step:
        return dense + wait
    slowest = max(range(len(per_step)), key=lambda i: per_step[i][0] * per_step[i][1])
    rest = sum(c for i, (_, c) in enumerate(per_step) if i != slowest)
    return per_step[slowest][0] * per_step[slowest][1] + rest + dense + wait


def window_reuse(layers: Sequence[Layer], reuse: int, timesteps: int) -> list[int]:
    """Per layer, the reuse its MAC passes get. A Conv1D runs once per window; when
    pooling or strides leave the recurrent layer it feeds r times fewer steps, a
    window at ``reuse`` would take r times the recurrent layer's time, so the Conv1D
    gets ``reuse // r`` (at least 1) and keeps pace. Every other layer: ``reuse``."""
    out, t = [], timesteps
    for i, la in enumerate(layers):
        t = la.out_steps(t)  # this layer's output steps (a Conv1D's windows)
        r = reuse
        if isinstance(la, Conv1D):
            m = t
            for nxt in layers[i + 1 :]:
                if nxt.keeps_time:  # the first layer that keeps time runs at this rate
                    break
                m = nxt.out_steps(m)
            r = max(1, reuse // max(1, t // max(m, 1)))
        out.append(r)
    return out
