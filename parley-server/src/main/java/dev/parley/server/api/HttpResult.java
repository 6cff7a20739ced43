package dev.parley.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A REST answer: status and JSON body (success bodies carry {@code duration}, errors the envelope).
 */
public record HttpResult(int status, ObjectNode body) {}
