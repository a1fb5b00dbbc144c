//! The integration tests, in one binary (`autotests = false` in Cargo.toml): one link step
//! instead of one per file, and the tests of every module run side by side. Each module still
//! talks to an emulator of its own (`support::emulator::Emulator::shared`), as it did when it
//! was a binary of its own; all of them are forked from one launcher per run, which pays moto's
//! import once.

mod support;

mod access;
mod account_suite;
mod aws;
mod cli;
mod cross_sdk;
mod docs;
mod engine;
mod examples;
mod faults;
mod golden;
mod golden_plans;
mod kms_self_service;
mod kms_team;
mod lifecycle;
mod one_click;
mod provisioning;
mod quickstart;
mod quotas;
mod recipe_inputs;
mod reference;
mod vectors;
