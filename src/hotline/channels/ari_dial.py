"""The dialling half of the ARI adapter's core: agent bridges, transfers, outbound calls, the
replies that settle them, and the resync after a reconnect. No I/O; `ari_adapter.AriCore`
adds calls, prompts and keys on top, and its docstring gives the semantics.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from hotline.channels.ari_state import (
    AGENT_ARG,
    OUTBOUND_ARG,
    AgentLeg,
    AriCall,
    AriRequest,
    AriState,
    Dial,
    Out,
    Step,
    cleanup,
    int_at,
    text_at,
    then,
)
from hotline.channels.errors import ChannelError, NotAnswered
from hotline.channels.telephony import (
    CallBridged,
    CallHungUp,
    CallOriginated,
    CallTransferred,
)

#: A subscription names a channel that does not exist.
SOURCE_GONE = frozenset({422})
_BUSY_CAUSES, _NO_ANSWER_CAUSES = frozenset({17, 21}), frozenset({18, 19})


class AriDial(AriState):
    """Where a call goes after the IVR, and calls this adapter dials."""

    # -- what the shell asks ---------------------------------------------------------------
    def dial_outcome(self, call_id: str) -> str | NotAnswered:
        """``""`` while ringing, ``answered``, or the failure."""
        call = self._calls[call_id]
        assert call.dial is not None
        if call.failure is not None:
            return call.failure
        return call.dial.outcome

    def on_hold(self, call_id: str) -> bool:
        call = self._calls.get(call_id)
        return call is not None and call.moh

    def bridge_outcome(self, call_id: str) -> str | NotAnswered:
        """``""`` while the agent rings or joins, ``bridged``, ``gone`` (the caller left),
        ``released``, or the failure."""
        call = self._calls[call_id]
        if call.failure is not None:
            failure, call.failure = call.failure, None
            return failure
        if call.state != "live":
            return "gone"
        if call.agent is None:
            return "released"
        return "bridged" if call.agent.bridged else ""

    # -- commands ----------------------------------------------------------------------------
    def bridge(self, call_id: str, *, agent_id: str, now: datetime) -> Step:
        call = self._live(call_id)
        if call is None:
            return self._dropped(call_id, f"bridge to agent {agent_id}")
        if call.agent is not None:
            raise ChannelError(
                f"call {call_id}", f"is already bridged to agent {call.agent.agent_id}"
            )
        leg = self._id("agent")
        deadline = now + timedelta(seconds=self.config.dial_timeout_s + 15)
        call.agent = AgentLeg(agent_id=agent_id, dial=Dial(channel_id=leg, deadline=deadline))
        self._legs[leg] = call_id
        endpoint = self.config.agent_endpoint.format(agent_id=agent_id)
        return Step(
            requests=(self._originate(leg, endpoint, f"{AGENT_ARG},{call_id}", call.number),)
        )

    def hold_music(self, call_id: str, *, on: bool) -> Step:
        """Start (``on``) or stop the configured music on hold on a waiting caller; a call
        already in that state, or a class of ``""``, asks nothing."""
        call = self._live(call_id)
        if call is None:
            return self._dropped(call_id, "music on hold")
        if on == call.moh or not self.config.moh_class:
            return Step()
        call.moh = on
        if on:
            return Step(requests=(self._channel(call, "moh", ("mohClass", self.config.moh_class)),))
        return Step(requests=(cleanup("DELETE", f"/channels/{call_id}/moh"),))

    def release(self, call_id: str) -> Step:
        """The agent's part is over (ended on the desktop): hang up the agent's leg and drop
        the bridge; the caller stays in the application (for the survey)."""
        call = self._live(call_id)
        if call is None:
            return self._dropped(call_id, "release of the agent")
        return Step(requests=tuple(self._release_agent(call)))

    def _originate(self, channel_id: str, endpoint: str, args: str, caller_id: str) -> AriRequest:
        params = [("endpoint", endpoint), ("app", self.config.app), ("appArgs", args)]
        if caller_id:
            params.append(("callerId", caller_id))
        params += [("timeout", str(self.config.dial_timeout_s)), ("channelId", channel_id)]
        return AriRequest(method="POST", path="/channels", params=tuple(params))

    def transfer(self, call_id: str, *, number: str) -> Step:
        call = self._live(call_id)
        if call is None:
            return self._dropped(call_id, "transfer")
        call.state = "over"
        request = self._channel(
            call,
            "continue",
            ("context", self.config.transfer_context),
            ("extension", number),
            ("priority", "1"),
        )
        done = then(request, CallTransferred(call_id=call_id, number=number))
        return Step(requests=(done, *self._release_agent(call)))

    def originate(self, *, number: str, caller_id: str, now: datetime) -> tuple[str, Step]:
        call_id = self._id("out")
        deadline = now + timedelta(seconds=self.config.dial_timeout_s + 15)
        call = AriCall(
            call_id=call_id, number=number, dial=Dial(channel_id=call_id, deadline=deadline)
        )
        self._calls[call_id] = call
        endpoint = self.config.outbound_endpoint.format(number=number)
        request = self._originate(call_id, endpoint, OUTBOUND_ARG, caller_id)
        return call_id, Step(
            requests=(then(request, CallOriginated(call_id=call_id, number=number)),)
        )

    # -- replies -----------------------------------------------------------------------------
    def refused(self, request: AriRequest) -> None:
        """Asterisk refused an originate outright: nothing rings, nobody waits for it."""
        if request.path != "/channels":
            return
        channel_id = dict(request.params).get("channelId", "")
        call = self._calls.get(self._legs.pop(channel_id, channel_id))
        if call is None:
            return
        if call.call_id == channel_id:
            del self._calls[channel_id]
        elif call.agent is not None and call.agent.dial.channel_id == channel_id:
            call.agent = None

    def gone(self, request: AriRequest) -> Step:
        """Asterisk answered ``request`` with a status in its ``gone_on``."""
        out = Out(notes=[f"call {request.call_id}: {request.describe()} found no channel"])
        call = self._calls.get(request.call_id)
        if call is not None:
            self._caller_left(call, "caller", out)
        return out.step()

    def channels_listed(self, body: object) -> Step:
        """The reply to the resync's ``GET /channels``."""
        alive = {text_at(c, "id") for c in body} if isinstance(body, list) else set()
        out = Out()
        for call in list(self._calls.values()):
            if call.state != "live" and not (call.dial and not call.dial.outcome):
                continue
            if call.call_id not in alive:
                self._channel_lost(call.call_id, 0, out, by="system")
                continue
            if call.agent and call.agent.dial.channel_id not in alive:
                self._channel_lost(call.agent.dial.channel_id, 0, out, by="system")
            if call.state != "live":
                continue
            out.requests.append(
                AriRequest(
                    method="POST",
                    path=f"/applications/{self.config.app}/subscription",
                    params=(("eventSource", f"channel:{call.call_id}"),),
                    call_id=call.call_id,
                    gone_on=SOURCE_GONE,
                )
            )
        return out.step()

    # -- events ------------------------------------------------------------------------------
    def _agent_answered(self, call: AriCall, out: Out) -> None:
        agent = call.agent
        if agent is None or agent.dial.outcome:
            return
        agent.dial.outcome = "answered"
        if call.state != "live":
            out.requests.append(cleanup("DELETE", f"/channels/{agent.dial.channel_id}"))
            return
        if call.moh:  # the agent is there: the music stops before the caller joins the bridge
            call.moh = False
            out.requests.append(cleanup("DELETE", f"/channels/{call.call_id}/moh"))
        agent.bridge_id = self._id("bridge")
        out.requests.append(
            AriRequest(
                method="POST",
                path="/bridges",
                params=(("type", "mixing"), ("bridgeId", agent.bridge_id), ("name", call.call_id)),
            )
        )
        out.requests.append(
            AriRequest(
                method="POST",
                path=f"/bridges/{agent.bridge_id}/addChannel",
                params=(("channel", f"{call.call_id},{agent.dial.channel_id}"),),
            )
        )

    def _on_leaving(self, message: Mapping[str, object], now: datetime, out: Out) -> None:
        cid = text_at(message.get("channel"), "id")
        if not cid:
            out.notes.append(f"ignored a {message.get('type')} without a channel id")
            return
        self._channel_lost(cid, int_at(message, "cause"), out, by="caller")

    def _channel_lost(self, cid: str, cause: int, out: Out, *, by: str) -> None:
        if cid in self._legs:
            self._leg_lost(self._calls[self._legs[cid]], cid, cause, out)
            return
        call = self._calls.get(cid)
        if call is None:
            return
        if call.dial is not None and not call.dial.outcome:
            self._dial_failed(call, call.dial, "", cause, out, hang_up=False)
        elif call.state == "live":
            self._caller_left(call, by, out)

    def _leg_lost(self, call: AriCall, cid: str, cause: int, out: Out) -> None:
        agent = call.agent
        if agent is None or agent.dial.channel_id != cid:
            return  # a leg already released
        if not agent.dial.outcome:
            self._dial_failed(call, agent.dial, "", cause, out, hang_up=False)
        elif agent.bridged and call.state == "live":
            # The agent hung up: the conversation is over for the caller too.
            out.notes.append(f"call {call.call_id}: agent {agent.agent_id} hung up")
            call.state, call.closed = "over", True
            out.requests.append(cleanup("DELETE", f"/channels/{call.call_id}"))
            out.requests.extend(self._release_agent(call))
            out.events.append(CallHungUp(call_id=call.call_id, by="system"))

    def _dial_failed(
        self, call: AriCall, dial: Dial, outcome: str, cause: int, out: Out, *, hang_up: bool
    ) -> None:
        status = dial.dialstatus
        if not outcome:
            if status == "BUSY" or cause in _BUSY_CAUSES:
                outcome = "busy"
            elif status == "NOANSWER" or cause in _NO_ANSWER_CAUSES:
                outcome = "no_answer"
            else:
                outcome = "failed"
        dial.outcome = outcome
        if hang_up:
            out.requests.append(cleanup("DELETE", f"/channels/{dial.channel_id}"))
        why = {"busy": "was busy", "no_answer": "did not answer"}.get(
            outcome, "could not be reached"
        )
        detail = f" (cause {cause})" if cause else ""
        if dial is call.dial:
            call.state, call.closed = "over", True
            call.failure = NotAnswered(
                f"call {call.call_id}", f"{call.number} {why}{detail}", outcome
            )
            by = "caller" if outcome == "busy" else "system"
            out.events.append(CallHungUp(call_id=call.call_id, by=by))
        elif call.agent is not None:
            agent_id = call.agent.agent_id
            call.agent = None
            call.failure = NotAnswered(
                f"call {call.call_id}", f"agent {agent_id} {why}{detail}", outcome
            )
        out.notes.append(f"call {call.call_id}: dialled party {why}{detail}")

    def _on_dial(self, message: Mapping[str, object], now: datetime, out: Out) -> None:
        cid = text_at(message.get("peer"), "id")
        call = self._calls.get(self._legs.get(cid, cid))
        status = text_at(message, "dialstatus")
        if call is None or not status:
            return
        dial = call.agent.dial if call.agent and call.agent.dial.channel_id == cid else call.dial
        if dial is not None and dial.channel_id == cid:
            dial.dialstatus = status

    def _on_entered_bridge(self, message: Mapping[str, object], now: datetime, out: Out) -> None:
        bridge = text_at(message.get("bridge"), "id")
        cid = text_at(message.get("channel"), "id")
        call = next(
            (c for c in self._calls.values() if c.agent and c.agent.bridge_id == bridge), None
        )
        if call is None or call.agent is None:
            return
        agent = call.agent
        agent.entered.add(cid)
        if not agent.bridged and {call.call_id, agent.dial.channel_id} <= agent.entered:
            agent.bridged = True
            out.events.append(CallBridged(call_id=call.call_id, agent_id=agent.agent_id))
