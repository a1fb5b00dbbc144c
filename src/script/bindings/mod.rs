//! Host modules exposed to recipes, one per domain (named after the AWS service they wrap, with
//! functions named after its operations). Each is a Rhai plugin module whose doc comments
//! become `docs/reference.md` (`cfsign doc`).

pub mod aws_context;
pub mod cloudformation;
pub mod cloudfront;
pub mod convert;
pub mod dynamodb;
pub mod files;
pub mod http;
pub mod iam;
pub mod keys;
pub mod kms;
pub mod s3;
pub mod secretsmanager;
pub mod servicecatalog;
pub mod sign;
pub mod sts;
pub mod time;

use rhai::{exported_module, Engine};

/// Registers every host module and type.
pub(super) fn register(engine: &mut Engine) {
    engine.register_global_module(exported_module!(aws_context::run_module).into());
    keys::register(engine);
    sign::register(engine);
    engine.register_static_module("sts", exported_module!(sts::sts_module).into());
    engine.register_static_module("time", exported_module!(time::time_module).into());
    engine.register_static_module("files", exported_module!(files::files_module).into());
    engine.register_static_module("http", exported_module!(http::http_module).into());
    engine.register_static_module("s3", exported_module!(s3::s3_module).into());
    engine.register_static_module(
        "secretsmanager",
        exported_module!(secretsmanager::secretsmanager_module).into(),
    );
    engine.register_static_module(
        "cloudfront",
        exported_module!(cloudfront::cloudfront_module).into(),
    );
    engine.register_static_module("servicecatalog", servicecatalog::module().into());
    engine.register_static_module(
        "dynamodb",
        exported_module!(dynamodb::dynamodb_module).into(),
    );
    engine.register_static_module("iam", exported_module!(iam::iam_module).into());
    engine.register_static_module("kms", exported_module!(kms::kms_module).into());
    engine.register_static_module(
        "cloudformation",
        exported_module!(cloudformation::cloudformation_module).into(),
    );
}
