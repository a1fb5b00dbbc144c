//! DynamoDB: the optional metadata table, described as a typed view, and its items read,
//! written (planned in a dry run) and deleted. Items are attribute maps; what a recipe value
//! becomes as an attribute is the scripting layer's business.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::{sdk_error, Aws, HostError};

const SERVICE: &str = "DynamoDB";

/// An item, or a key: attribute name to value.
pub type Item = HashMap<String, AttributeValue>;

/// One attribute of a table's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyView {
    /// The attribute's name.
    pub name: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

/// A table as DescribeTable describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableView {
    /// The table's name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// Its status, e.g. `ACTIVE`.
    pub status: Option<String>,
    /// `PAY_PER_REQUEST` or `PROVISIONED` (what DynamoDB means when it says nothing).
    pub billing_mode: String,
    /// The item count DynamoDB last computed.
    pub item_count: Option<i64>,
    /// The key schema, partition key first.
    pub key_schema: Vec<KeyView>,
}

/// The table named `name`, or `None` when DynamoDB has no such table (ResourceNotFound only).
pub fn table(aws: &Aws, name: &str) -> Result<Option<TableView>, HostError> {
    let out = match aws.block_on(aws.dynamodb().describe_table().table_name(name).send()) {
        Ok(out) => out,
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(sdk_error(SERVICE, "DescribeTable", e)),
    };
    Ok(out.table().map(|table| TableView {
        name: table.table_name().unwrap_or_default().to_owned(),
        arn: table.table_arn().unwrap_or_default().to_owned(),
        status: table.table_status().map(|s| s.as_str().to_owned()),
        billing_mode: table
            .billing_mode_summary()
            .and_then(|b| b.billing_mode())
            .map_or("PROVISIONED", |b| b.as_str())
            .to_owned(),
        item_count: table.item_count(),
        key_schema: table
            .key_schema()
            .iter()
            .map(|k| KeyView {
                name: k.attribute_name().to_owned(),
                key_type: k.key_type().as_str().to_owned(),
            })
            .collect(),
    }))
}

/// Writes `item` to `table`, replacing any item with the same key; a dry run plans the request.
pub fn put_item(aws: &Aws, table: &str, item: Item) -> Result<(), HostError> {
    let request = aws
        .dynamodb()
        .put_item()
        .table_name(table)
        .set_item(Some(item));
    let call = aws.operation(SERVICE, "PutItem");
    if call.planned(request.as_input()) {
        return Ok(());
    }
    call.send(request.send())?;
    Ok(())
}

/// The item with primary key `key`, read consistently, or `None`.
pub fn get_item(aws: &Aws, table: &str, key: Item) -> Result<Option<Item>, HostError> {
    let out = aws.operation(SERVICE, "GetItem").send(
        aws.dynamodb()
            .get_item()
            .table_name(table)
            .set_key(Some(key))
            .consistent_read(true)
            .send(),
    )?;
    Ok(out.item().cloned())
}

/// Deletes the item with primary key `key` (a missing item is not an error); a dry run plans
/// the request.
pub fn delete_item(aws: &Aws, table: &str, key: Item) -> Result<(), HostError> {
    let request = aws
        .dynamodb()
        .delete_item()
        .table_name(table)
        .set_key(Some(key));
    let call = aws.operation(SERVICE, "DeleteItem");
    if call.planned(request.as_input()) {
        return Ok(());
    }
    call.send(request.send())?;
    Ok(())
}
