package dev.parley.client.transport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class that only runs on a full JVM (it uses {@code java.net.http}), so the Android API gate of the
 * build skips it. Only the {@code java.net.http} transport carries it: every other class must use only what
 * Android 8 (API 26) offers.
 */
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
@interface JvmOnly {}
