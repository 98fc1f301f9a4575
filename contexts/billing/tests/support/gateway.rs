//! A payment gateway whose answers a test scripts, and which remembers every call: the fake
//! behind billing's `PaymentGateway` port.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use billing::ports::{ChargeRequest, GatewayAnswer, GatewayError, PaymentGateway};

/// Answers calls from its script, in order; approves once the script runs out.
#[derive(Default)]
pub struct ScriptedGateway {
    script: Mutex<VecDeque<Result<GatewayAnswer, GatewayError>>>,
    calls: Mutex<Vec<ChargeRequest>>,
}

impl ScriptedGateway {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn then(&self, answer: Result<GatewayAnswer, GatewayError>) -> &Self {
        self.script.lock().unwrap().push_back(answer);
        self
    }

    pub fn then_decline(&self, reason: &str) -> &Self {
        self.then(Ok(GatewayAnswer::Declined { reason: reason.into() }))
    }

    pub fn then_fail(&self, error: GatewayError) -> &Self {
        self.then(Err(error))
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<ChargeRequest> {
        self.calls.lock().unwrap().clone()
    }
}

impl PaymentGateway for ScriptedGateway {
    fn charge(&self, request: &ChargeRequest) -> Result<GatewayAnswer, GatewayError> {
        let mut calls = self.calls.lock().unwrap();
        calls.push(request.clone());
        let approval = GatewayAnswer::Approved { authorization_id: format!("auth-{}", calls.len()) };
        self.script.lock().unwrap().pop_front().unwrap_or(Ok(approval))
    }
}
