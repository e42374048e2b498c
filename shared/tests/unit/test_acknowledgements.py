"""Acknowledgements: a settled run of delivery tags goes out as one ``multiple`` ack; nothing is
acknowledged past a delivery still being handled, and no tag is acknowledged twice."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from forlob_shared.messaging.acknowledgements import Acknowledgements


@dataclass
class Channel:
    """Records what was sent, and settles as RabbitMQ does: a tag settled twice, or a ``multiple``
    ack at a tag not outstanding, is an error (the broker closes the channel for it)."""

    sent: list[tuple[str, int, bool]] = field(default_factory=list)
    outstanding: set[int] = field(default_factory=set)

    def settle(self, method: str, tag: int, multiple: bool) -> None:
        if tag not in self.outstanding:
            raise AssertionError(f"PRECONDITION_FAILED - unknown delivery tag {tag}")
        self.sent.append((method, tag, multiple))
        self.outstanding -= {t for t in self.outstanding if t <= tag} if multiple else {tag}


@dataclass
class Delivery:
    """An incoming message as aio-pika hands it over: a tag counted per channel."""

    delivery_tag: int | None
    channel: Channel | None

    async def ack(self, multiple: bool = False) -> None:
        self._send("ack", multiple)

    async def nack(self, requeue: bool = True) -> None:
        self._send("nack", False)

    def _send(self, method: str, multiple: bool) -> None:
        if self.channel is None or self.delivery_tag is None:
            raise AssertionError("a delivery without a channel or tag reached the broker")
        self.channel.settle(method, self.delivery_tag, multiple)


def deliveries(channel: Channel, count: int) -> list[Delivery]:
    channel.outstanding |= set(range(1, count + 1))
    return [Delivery(tag, channel) for tag in range(1, count + 1)]


async def test_a_batch_in_order_is_acknowledged_with_one_frame() -> None:
    channel, acks = Channel(), Acknowledgements(limit=32)
    for delivery in deliveries(channel, 5):
        await acks.ack(delivery)  # type: ignore[arg-type]
    assert channel.sent == []  # nothing before the batch is over

    await acks.flush(idle=False)

    assert channel.sent == [("ack", 5, True)]


async def test_nothing_is_acknowledged_past_a_delivery_another_lane_still_handles() -> None:
    channel, acks = Channel(), Acknowledgements(limit=32)
    d = deliveries(channel, 5)
    for delivery in (d[0], d[1], d[3], d[4]):  # the third is in the other lane
        await acks.ack(delivery)  # type: ignore[arg-type]
    await acks.flush(idle=False)
    assert channel.sent == [("ack", 2, True)]
    assert acks.waiting == 2

    await acks.ack(d[2])  # type: ignore[arg-type]
    await acks.flush(idle=False)

    assert channel.sent == [("ack", 2, True), ("ack", 5, True)]
    assert acks.waiting == 0


async def test_what_waits_above_a_gap_goes_one_by_one_when_the_lane_is_idle_and_never_twice() -> None:
    channel, acks = Channel(), Acknowledgements(limit=32)
    d = deliveries(channel, 5)
    for delivery in (d[0], d[3], d[4]):
        await acks.ack(delivery)  # type: ignore[arg-type]
    await acks.flush(idle=True)
    assert channel.sent == [("ack", 1, True), ("ack", 4, False), ("ack", 5, False)]

    await acks.ack(d[1])  # type: ignore[arg-type]
    await acks.ack(d[2])  # type: ignore[arg-type]
    await acks.flush(idle=False)

    # Up to 3 only: 4 and 5 went out already, and a second ack of a tag closes the channel.
    assert channel.sent[3:] == [("ack", 3, True)]


async def test_what_waits_above_a_gap_goes_one_by_one_at_the_limit() -> None:
    channel, acks = Channel(), Acknowledgements(limit=2)
    d = deliveries(channel, 3)
    await acks.ack(d[1])  # type: ignore[arg-type]
    await acks.flush(idle=False)
    assert channel.sent == []  # one waits: under the limit

    await acks.ack(d[2])  # type: ignore[arg-type]
    await acks.flush(idle=False)

    assert channel.sent == [("ack", 2, False), ("ack", 3, False)]


async def test_a_requeued_delivery_is_sent_at_once_and_the_run_goes_past_it() -> None:
    channel, acks = Channel(), Acknowledgements(limit=32)
    d = deliveries(channel, 4)
    await acks.ack(d[0])  # type: ignore[arg-type]
    await acks.settled_otherwise(d[1], d[1].nack(requeue=True))  # type: ignore[arg-type]
    assert channel.sent == [("nack", 2, False)]
    await acks.flush(idle=False)
    assert channel.sent[1:] == [("ack", 1, True)]

    await acks.settled_otherwise(d[2], d[2].nack(requeue=True))  # type: ignore[arg-type]
    await acks.ack(d[3])  # type: ignore[arg-type]
    await acks.flush(idle=False)

    assert channel.sent[2:] == [("nack", 3, False), ("ack", 4, True)]


async def test_a_run_ending_in_a_requeue_is_acknowledged_up_to_its_last_acknowledged_tag() -> None:
    channel, acks = Channel(), Acknowledgements(limit=32)
    d = deliveries(channel, 3)
    await acks.ack(d[0])  # type: ignore[arg-type]
    await acks.ack(d[1])  # type: ignore[arg-type]
    await acks.settled_otherwise(d[2], d[2].nack(requeue=True))  # type: ignore[arg-type]
    await acks.flush(idle=False)

    assert channel.sent == [("nack", 3, False), ("ack", 2, True)]


async def test_a_new_channel_counts_from_one_and_drops_what_waited_on_the_old() -> None:
    old, new, acks = Channel(), Channel(), Acknowledgements(limit=32)
    await acks.ack(deliveries(old, 2)[1])  # type: ignore[arg-type]
    await acks.flush(idle=False)

    await acks.ack(deliveries(new, 1)[0])  # type: ignore[arg-type]  # after a reconnect
    await acks.flush(idle=True)

    assert old.sent == []  # its channel is gone: the broker redelivers, the inbox knows it
    assert new.sent == [("ack", 1, True)]


async def test_a_delivery_without_a_tag_or_channel_is_acknowledged_at_once() -> None:
    acks = Acknowledgements(limit=32)
    handed = Delivery(None, Channel())
    sent: list[str] = []

    async def ack(multiple: bool = False) -> None:
        sent.append("ack")

    handed.ack = ack  # type: ignore[method-assign]
    await acks.ack(handed)  # type: ignore[arg-type]

    assert sent == ["ack"]


async def test_a_delivery_settled_twice_is_not_acknowledged_again() -> None:
    channel, acks = Channel(), Acknowledgements(limit=32)
    [first] = deliveries(channel, 1)
    await acks.ack(first)  # type: ignore[arg-type]
    await acks.flush(idle=False)
    await acks.ack(first)  # type: ignore[arg-type]
    await acks.flush(idle=True)

    assert channel.sent == [("ack", 1, True)]


async def test_lanes_flushing_at_once_never_acknowledge_a_tag_twice() -> None:
    """One lane sends what waits above a gap one by one while the other closes the gap and sends
    the run: each ack awaits the broker, so the two interleave."""

    class Slow(Delivery):
        async def ack(self, multiple: bool = False) -> None:
            await asyncio.sleep(0)  # the frame is written: the other lane runs meanwhile
            await super().ack(multiple)

    channel, acks = Channel(), Acknowledgements(limit=32)
    d = [Slow(delivery.delivery_tag, channel) for delivery in deliveries(channel, 6)]
    for delivery in (d[0], d[3], d[4], d[5]):
        await acks.ack(delivery)  # type: ignore[arg-type]
    await acks.flush(idle=False)  # tag 1 goes; 4-6 wait for 2 and 3, handled by the other lane

    async def other_lane() -> None:
        await acks.ack(d[1])  # type: ignore[arg-type]
        await acks.ack(d[2])  # type: ignore[arg-type]
        await acks.flush(idle=False)

    await asyncio.gather(acks.flush(idle=True), other_lane())

    assert channel.outstanding == set()  # each settled once: the fake broker raises otherwise
