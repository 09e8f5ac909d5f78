// Entry point: mounts the App.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { ToastProvider } from "./features/toasts/Toasts";
import "./tokens.css";
import "./styles.css";

const root = document.getElementById("root");
if (root) createRoot(root).render(<StrictMode><ToastProvider><App /></ToastProvider></StrictMode>);
