// The Auth tab: every pattern the engine has (collection/auth.rs), one form per pattern.
import type { ReactNode } from "react";
import { AUTH_TYPES, authFromModel, authToModel, type AuthForm, type AuthType } from "../../lib/requestModel";
import { KvTable } from "./KvTable";
import { FileField } from "../files/FileField";
import { FILTERS } from "../../lib/fileKinds";

interface Props {
  auth: Record<string, unknown>;
  onChange(auth: Record<string, unknown>): void;
}

export function AuthTab({ auth, onChange }: Props) {
  const f = authFromModel(auth);
  const set = (patch: Partial<AuthForm>) => onChange(authToModel({ ...f, ...patch }));
  const field = (label: string, k: keyof AuthForm, opts: { secret?: boolean; placeholder?: string } = {}): ReactNode => (
    <label className="field">
      <span>{label}</span>
      <input aria-label={label} type={opts.secret ? "password" : "text"} placeholder={opts.placeholder} value={String(f[k] ?? "")}
        onChange={(e) => set({ [k]: e.target.value } as Partial<AuthForm>)} />
    </label>
  );
  const httpStep = (what: string) => (
    <>
      {field(`${what} URL`, "url", { placeholder: "http://127.0.0.1:8080/login" })}
      {field("Method", "method")}
      <KvTable noun={`${what} header`} rows={f.headers} onChange={(headers) => set({ headers })} />
      <label className="field"><span>Body</span>
        <textarea aria-label="Body" value={f.body} onChange={(e) => set({ body: e.target.value })} /></label>
      <label className="check"><input type="checkbox" checked={f.bodySecret} onChange={(e) => set({ bodySecret: e.target.checked })} />The body carries a credential</label>
    </>
  );
  const firstMessage = () => (
    <>
      <label className="field"><span>First message</span>
        <textarea aria-label="First message" placeholder='{"auth":"{{token}}"}' value={f.message} onChange={(e) => set({ message: e.target.value })} /></label>
      {field("Acknowledgement", "ack", { placeholder: "regex, or /json/pointer=value" })}
      {field("Acknowledgement timeout (ms)", "timeoutMs")}
    </>
  );
  return (
    <div className="auth-tab">
      <label className="field">
        <span>Auth type</span>
        <select aria-label="Auth type" value={f.type} onChange={(e) => set({ type: e.target.value as AuthType })}>
          {AUTH_TYPES.map(([k, label]) => <option key={k} value={k}>{label}</option>)}
        </select>
      </label>
      {f.type === "bearer" && field("Token", "token", { secret: true, placeholder: "{{token}}" })}
      {f.type === "basic" && (<>{field("Username", "username")}{field("Password", "password", { secret: true })}</>)}
      {f.type === "api_key" && (
        <>
          {field("Key name", "name", { placeholder: "X-API-Key" })}
          {field("Key value", "value", { secret: true })}
          <label className="field"><span>Key location</span>
            <select aria-label="Key location" value={f.location} onChange={(e) => set({ location: e.target.value as "header" | "query" })}>
              <option value="header">Header</option>
              <option value="query">Query parameter</option>
            </select></label>
        </>
      )}
      {f.type === "query_token" && (<>{field("Parameter name", "name", { placeholder: "token" })}{field("Token", "token", { secret: true })}</>)}
      {f.type === "subprotocol_token" && field("Token", "token", { secret: true })}
      {f.type === "first_message" && firstMessage()}
      {f.type === "cookie_login" && httpStep("Login")}
      {f.type === "ticket" && (
        <>
          {httpStep("Ticket")}
          <label className="field"><span>Extract from</span>
            <select aria-label="Extract from" value={f.extractKind} onChange={(e) => set({ extractKind: e.target.value as AuthForm["extractKind"] })}>
              <option value="pointer">JSON pointer</option>
              <option value="header">Response header</option>
              <option value="regex">Regex over the body</option>
            </select></label>
          {field("Extract", "extract", { placeholder: "/ticket" })}
          {field("Into", "into", { placeholder: "query:ticket, header:NAME or message" })}
          {f.into === "message" && firstMessage()}
        </>
      )}
      {f.type === "oauth2_client_credentials" && (
        <>
          {field("Token URL", "tokenUrl")}
          {field("Client ID", "clientId")}
          {field("Client secret", "clientSecret", { secret: true })}
          {field("Scope", "scope")}
        </>
      )}
      {f.type === "client_certificate" && (
        <>
          <div className="field"><span>Certificate file</span>
            <FileField label="Certificate file" value={f.cert} filters={FILTERS.pem} onChange={(cert) => set({ cert })} /></div>
          <div className="field"><span>Key file</span>
            <FileField label="Key file" value={f.key} filters={FILTERS.pem} onChange={(key) => set({ key })} /></div>
        </>
      )}
    </div>
  );
}
