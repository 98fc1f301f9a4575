//! A carrier that answers from a script, and remembers what it was asked: shipping's tests
//! decide every answer, so each path of a shipment's life can be walked on purpose. Unscripted
//! calls succeed (dispatched; delivered).

use std::collections::VecDeque;
use std::sync::Mutex;

use shipping::ports::{Carrier, CarrierError, DeliveryAttemptRequest, DeliveryOutcome, DispatchRequest, Dispatched};

#[derive(Debug, Default)]
pub struct ScriptedCarrier {
    dispatches: Mutex<VecDeque<Result<Dispatched, CarrierError>>>,
    attempts: Mutex<VecDeque<Result<DeliveryOutcome, CarrierError>>>,
    asked: Mutex<Vec<Asked>>,
}

/// A call the carrier received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    Dispatch(DispatchRequest),
    Attempt(DeliveryAttemptRequest),
}

pub fn outage() -> CarrierError {
    CarrierError { reason: "503 Service Unavailable".into() }
}

impl ScriptedCarrier {
    pub fn answer_dispatch(&self, answer: Result<Dispatched, CarrierError>) -> &Self {
        self.dispatches.lock().unwrap().push_back(answer);
        self
    }

    pub fn answer_attempt(&self, answer: Result<DeliveryOutcome, CarrierError>) -> &Self {
        self.attempts.lock().unwrap().push_back(answer);
        self
    }

    pub fn asked(&self) -> Vec<Asked> {
        self.asked.lock().unwrap().clone()
    }

    /// The `(attempt, retry)` of every delivery-attempt call, in order.
    pub fn attempts_asked(&self) -> Vec<(u8, u32)> {
        self.asked()
            .into_iter()
            .filter_map(|asked| match asked {
                Asked::Attempt(request) => Some((request.attempt, request.retry)),
                Asked::Dispatch(_) => None,
            })
            .collect()
    }

    /// The `retry` of every dispatch call, in order.
    pub fn dispatches_asked(&self) -> Vec<u32> {
        self.asked()
            .into_iter()
            .filter_map(|asked| match asked {
                Asked::Dispatch(request) => Some(request.retry),
                Asked::Attempt(_) => None,
            })
            .collect()
    }
}

impl Carrier for ScriptedCarrier {
    fn dispatch(&self, request: &DispatchRequest) -> Result<Dispatched, CarrierError> {
        self.asked.lock().unwrap().push(Asked::Dispatch(request.clone()));
        self.dispatches.lock().unwrap().pop_front().unwrap_or_else(|| {
            Ok(Dispatched {
                carrier: "Scripted Post".into(),
                tracking_number: format!("SP-{}", &request.shipment_id.simple().to_string()[..12]),
            })
        })
    }

    fn attempt_delivery(&self, request: &DeliveryAttemptRequest) -> Result<DeliveryOutcome, CarrierError> {
        self.asked.lock().unwrap().push(Asked::Attempt(request.clone()));
        self.attempts.lock().unwrap().pop_front().unwrap_or(Ok(DeliveryOutcome::Delivered))
    }
}
