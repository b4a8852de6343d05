// Who a request acts as, after authentication: kube's user.Info. Authenticators produce it, authorizers,
// admission and the access reviews read it.

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  /** authentication.k8s.io extra: for IAM principals arn, canonicalArn, sessionName, accessKeyId, principalId. */
  extra?: Record<string, string[]>;
}
