"""The IVR: a flow language (YAML, checked and compiled at load) and a pure interpreter.

``step(flow, state, input, now) -> (state, outputs)``; the shell performs the actions
(`Play`, `Collect`, `BankRequest`, `Enqueue` …) and feeds back inputs (`DigitsEntered`,
`BankReplied` …). See ``hotline/ivr/flows/*.yaml`` for the shipped bank hotline flows.
"""

from hotline.ivr.actions import (
    Action,
    AskEstimatedWait,
    AuthenticationFailed,
    AuthenticationSucceeded,
    BankRequest,
    Collect,
    Enqueue,
    Event,
    HangUp,
    IvrEnded,
    IvrEntered,
    LockedOut,
    NodeEntered,
    OfferCallback,
    Output,
    Play,
    StartVoicemail,
    SurveyAnswered,
    TransferOut,
)
from hotline.ivr.errors import CallError, FlowInvalid, FlowIssue, IvrError, RegistryError
from hotline.ivr.flow import Flow
from hotline.ivr.inputs import (
    BankReplied,
    CallerHungUp,
    CallStarted,
    DigitsEntered,
    EstimatedWait,
    Input,
    InputTimedOut,
    PromptFinished,
)
from hotline.ivr.interpreter import new_call, step
from hotline.ivr.loader import build_flow, load_flow
from hotline.ivr.registry import FlowRegistry
from hotline.ivr.secret import Secret
from hotline.ivr.state import CallState, Wait

__all__ = [
    "Action",
    "AskEstimatedWait",
    "AuthenticationFailed",
    "AuthenticationSucceeded",
    "BankReplied",
    "BankRequest",
    "CallError",
    "CallStarted",
    "CallState",
    "CallerHungUp",
    "Collect",
    "DigitsEntered",
    "Enqueue",
    "EstimatedWait",
    "Event",
    "Flow",
    "FlowInvalid",
    "FlowIssue",
    "FlowRegistry",
    "HangUp",
    "Input",
    "InputTimedOut",
    "IvrEnded",
    "IvrEntered",
    "IvrError",
    "LockedOut",
    "NodeEntered",
    "OfferCallback",
    "Output",
    "Play",
    "PromptFinished",
    "RegistryError",
    "Secret",
    "StartVoicemail",
    "SurveyAnswered",
    "TransferOut",
    "Wait",
    "build_flow",
    "load_flow",
    "new_call",
    "step",
]
