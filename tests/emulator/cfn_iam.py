"""AWS::IAM::ManagedPolicy deleted as its handler deletes it: moto 5.2.5 had no delete for the
type, so the policy stayed attached and the role it was attached to could not be deleted
("Cannot delete entity, must detach all policies first."): a stack holding a role and its
managed policies (products/launch-role) ended DELETE_FAILED. The handler detaches the policy
from every role, user and group, deletes its other versions and then the policy: its
`handlers.delete.permissions` (cfn-lint's schema) are iam:ListEntitiesForPolicy,
iam:DetachRolePolicy / DetachUserPolicy / DetachGroupPolicy, iam:ListPolicyVersions,
iam:DeletePolicyVersion and iam:DeletePolicy, and DeletePolicy requires it ("you must detach
the policy from all users, groups, and roles that it is attached to", IAM API reference,
DeletePolicy).
"""
from moto.iam.models import ManagedPolicy


def _delete(self, account_id=None, region_name=None):
    backend = self.backend
    for role in list(backend.roles.values()):
        if self.arn in role.managed_policies:
            backend.detach_role_policy(self.arn, role.name)
    for user in list(backend.users.values()):
        if self.arn in user.managed_policies:
            backend.detach_user_policy(self.arn, user.name)
    for group in list(backend.groups.values()):
        if self.arn in group.managed_policies:
            backend.detach_group_policy(self.arn, group.name)
    backend.delete_policy(self.arn)


ManagedPolicy.delete = _delete
