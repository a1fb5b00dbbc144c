//! `dynamodb::`: the optional metadata table — describing it, and reading and writing items
//! (the smoke test records its test object there). The calls are `aws::dynamodb`'s; here,
//! recipe values become attributes and back.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob as SdkBlob;
use aws_sdk_dynamodb::types::AttributeValue;
use rhai::plugin::*;
use rhai::{Array, Blob, EvalAltResult, Map};
use serde_json::json;

use super::aws_context::{aws, invalid};
use super::convert::to_dynamic;
use crate::script::HostErrorExt as _;

const SERVICE: &str = "DynamoDB";

/// A recipe value as a DynamoDB attribute: strings S, numbers N, booleans BOOL, `()` NULL,
/// arrays L, maps M, blobs B.
fn attribute(value: &Dynamic) -> Result<AttributeValue, String> {
    if value.is_unit() {
        return Ok(AttributeValue::Null(true));
    }
    if let Some(b) = value.clone().try_cast::<bool>() {
        return Ok(AttributeValue::Bool(b));
    }
    if value.is_int() || value.is_float() {
        return Ok(AttributeValue::N(value.to_string()));
    }
    if value.is_string() {
        return Ok(AttributeValue::S(value.to_string()));
    }
    if let Some(blob) = value.clone().try_cast::<Blob>() {
        return Ok(AttributeValue::B(SdkBlob::new(blob)));
    }
    if let Some(items) = value.clone().try_cast::<Array>() {
        return items
            .iter()
            .map(attribute)
            .collect::<Result<_, _>>()
            .map(AttributeValue::L);
    }
    if let Some(map) = value.clone().try_cast::<Map>() {
        return attributes(&map).map(AttributeValue::M);
    }
    Err(format!(
        "a {} cannot be stored in DynamoDB",
        value.type_name()
    ))
}

fn attributes(map: &Map) -> Result<HashMap<String, AttributeValue>, String> {
    map.iter()
        .map(|(name, value)| {
            attribute(value)
                .map(|a| (name.to_string(), a))
                .map_err(|e| format!("{name}: {e}"))
        })
        .collect()
}

/// A DynamoDB attribute as a recipe value (the inverse of [`attribute`]; sets become arrays).
fn value(attribute: &AttributeValue) -> Dynamic {
    match attribute {
        AttributeValue::S(s) => s.clone().into(),
        AttributeValue::N(n) => n
            .parse::<rhai::INT>()
            .map(Dynamic::from)
            .or_else(|_| n.parse::<rhai::FLOAT>().map(Dynamic::from))
            .unwrap_or_else(|_| n.clone().into()),
        AttributeValue::Bool(b) => (*b).into(),
        AttributeValue::B(b) => Dynamic::from_blob(b.clone().into_inner()),
        AttributeValue::L(items) => items.iter().map(value).collect::<Array>().into(),
        AttributeValue::M(map) => item(map).into(),
        AttributeValue::Ss(items) | AttributeValue::Ns(items) => items
            .iter()
            .map(|s| Dynamic::from(s.clone()))
            .collect::<Array>()
            .into(),
        _ => Dynamic::UNIT,
    }
}

fn item(map: &HashMap<String, AttributeValue>) -> Map {
    map.iter().map(|(k, v)| (k.into(), value(v))).collect()
}

/// DynamoDB tables and items.
#[export_module]
pub mod dynamodb_module {
    use super::*;

    /// The table named `name`, or `()`: `#{name, arn, status, billing_mode, item_count,
    /// key_schema: [#{name, type}]}` (`type` HASH or RANGE).
    #[rhai_fn(return_raw)]
    pub fn describe_table(
        context: NativeCallContext,
        name: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let table =
            crate::aws::dynamodb::table(&aws(&context)?, name).map_err(|e| e.raise(&context))?;
        Ok(table.map_or(Dynamic::UNIT, |table| {
            let keys: Vec<_> = table
                .key_schema
                .iter()
                .map(|k| json!({ "name": k.name, "type": k.key_type }))
                .collect();
            to_dynamic(json!({
                "name": table.name, "arn": table.arn, "status": table.status,
                "billing_mode": table.billing_mode, "item_count": table.item_count,
                "key_schema": keys,
            }))
        }))
    }

    /// Writes `item` (a map of attribute names to values) to `table`, replacing any item with
    /// the same key.
    ///
    /// ```rhai
    /// dynamodb::put_item(card.table_name, #{ fileId: "uploads/a.txt", size: 5, smoke: true });
    /// ```
    #[rhai_fn(return_raw)]
    pub fn put_item(
        context: NativeCallContext,
        table: &str,
        item: Map,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let attributes = attributes(&item).map_err(|e| invalid(&context, SERVICE, "PutItem", e))?;
        crate::aws::dynamodb::put_item(&aws, table, attributes).map_err(|e| e.raise(&context))
    }

    /// The item with primary key `key` (e.g. `#{fileId: "a"}`), or `()`.
    #[rhai_fn(return_raw)]
    pub fn get_item(
        context: NativeCallContext,
        table: &str,
        key: Map,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let key = attributes(&key).map_err(|e| invalid(&context, SERVICE, "GetItem", e))?;
        let found =
            crate::aws::dynamodb::get_item(&aws, table, key).map_err(|e| e.raise(&context))?;
        Ok(found.map_or(Dynamic::UNIT, |i| item(&i).into()))
    }

    /// Deletes the item with primary key `key`; deleting a missing item is not an error.
    #[rhai_fn(return_raw)]
    pub fn delete_item(
        context: NativeCallContext,
        table: &str,
        key: Map,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let attributes =
            attributes(&key).map_err(|e| invalid(&context, SERVICE, "DeleteItem", e))?;
        crate::aws::dynamodb::delete_item(&aws, table, attributes).map_err(|e| e.raise(&context))
    }
}
